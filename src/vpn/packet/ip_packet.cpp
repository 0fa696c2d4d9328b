// Bounds-checked IPv4/IPv6 header parsing and the Internet checksum (RFC 1071).
#include "vpn/packet/ip_packet.hpp"

#include <string>

namespace edgevpn::vpn {

util::Result<size_t> ip_packet_length(util::ByteView prefix) {
  if (prefix.empty()) return util::make_error(util::Errc::kTruncated, "empty packet");
  const int version = prefix[0] >> 4;
  if (version == 4) {
    if (prefix.size() < 4) return util::make_error(util::Errc::kTruncated, "short IPv4 header");
    const size_t header_length = static_cast<size_t>(prefix[0] & 0x0f) * 4;
    const size_t total = util::get_u16_be(prefix.data() + 2);
    if (header_length < kIpv4MinHeader || total < header_length) {
      return util::make_error(util::Errc::kMalformed, "IPv4 total length " + std::to_string(total) +
                                                          " below header length " +
                                                          std::to_string(header_length));
    }
    return total;
  }
  if (version == 6) {
    if (prefix.size() < 6) return util::make_error(util::Errc::kTruncated, "short IPv6 header");
    return kIpv6Header + util::get_u16_be(prefix.data() + 4);
  }
  return util::make_error(util::Errc::kMalformed, "IP version " + std::to_string(version));
}

util::Result<IpHeader> parse_ip_header(util::ByteView packet) {
  EDGEVPN_TRY_ASSIGN(total, ip_packet_length(packet));
  IpHeader header;
  header.version = packet[0] >> 4;
  header.total_length = total;
  const size_t needed = header.version == 4 ? (packet[0] & 0x0f) * 4u : kIpv6Header;
  if (packet.size() < needed || packet.size() < total) {
    return util::make_error(util::Errc::kTruncated, "IP packet of " + std::to_string(total) +
                                                        " bytes in a buffer of " +
                                                        std::to_string(packet.size()));
  }
  if (total < needed) return util::make_error(util::Errc::kMalformed, "IP length below header");
  header.header_length = needed;
  if (header.version == 4) {
    const uint16_t flags_fragment = util::get_u16_be(packet.data() + 6);
    header.more_fragments = (flags_fragment & 0x2000) != 0;
    header.fragment_offset = flags_fragment & 0x1fff;
    header.ttl = packet[8];
    header.protocol = packet[9];
    header.source = IpAddress::v4(packet.data() + 12);
    header.destination = IpAddress::v4(packet.data() + 16);
  } else {
    header.protocol = packet[6];
    header.ttl = packet[7];
    header.source = IpAddress::v6(packet.data() + 8);
    header.destination = IpAddress::v6(packet.data() + 24);
  }
  return header;
}

uint32_t checksum_add(util::ByteView data, uint32_t initial) {
  uint64_t sum = initial;
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (i < data.size()) sum += static_cast<uint32_t>(data[i] << 8);
  while (sum >> 32) sum = (sum & 0xffffffff) + (sum >> 32);
  return static_cast<uint32_t>(sum);
}

uint16_t checksum_finish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace edgevpn::vpn
