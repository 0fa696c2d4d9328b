// Bounds-checked IPv4/IPv6 header parsing, the IP length rule used to split streams, and the
// Internet checksum.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"
#include "util/result.hpp"
#include "vpn/packet/ip_address.hpp"

namespace edgevpn::vpn {

inline constexpr size_t kIpv4MinHeader = 20;
inline constexpr size_t kIpv6Header = 40;
inline constexpr size_t kMaxIpPacket = 65535 + kIpv6Header;  // IPv6 without jumbograms
inline constexpr uint8_t kProtocolIcmp = 1;
inline constexpr uint8_t kProtocolTcp = 6;
inline constexpr uint8_t kProtocolUdp = 17;
inline constexpr uint8_t kProtocolIcmpv6 = 58;

struct IpHeader {
  int version = 0;               // 4 or 6
  size_t header_length = 0;      // IPv4 IHL*4; 40 for IPv6 (extension headers not included)
  size_t total_length = 0;       // IPv4 total length; 40 + payload length for IPv6
  uint8_t protocol = 0;          // IPv4 protocol / IPv6 next header
  uint8_t ttl = 0;               // TTL / hop limit
  uint16_t fragment_offset = 0;  // IPv4 only, in 8-byte units
  bool more_fragments = false;   // IPv4 only
  IpAddress source;
  IpAddress destination;
};

// Length of the IP packet starting at `prefix`, from its header's length field. kTruncated
// when `prefix` is too short to know (IPv4 needs 4 bytes, IPv6 6); kMalformed when the version
// is not 4/6 or the length is below the header size.
util::Result<size_t> ip_packet_length(util::ByteView prefix);

// Parses the header of the packet in `packet`; the buffer must hold at least `total_length`
// bytes (trailing bytes are allowed and ignored, as the kernel does).
util::Result<IpHeader> parse_ip_header(util::ByteView packet);

// One's-complement sum of 16-bit words, folded; `initial` carries a pseudo-header sum.
uint32_t checksum_add(util::ByteView data, uint32_t initial = 0);
uint16_t checksum_finish(uint32_t sum);
inline uint16_t internet_checksum(util::ByteView data) {
  return checksum_finish(checksum_add(data));
}

}  // namespace edgevpn::vpn
