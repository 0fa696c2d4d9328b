// Builds small IPv4/IPv6 packets for the packet-core tests.
#pragma once

#include <cstdint>

#include "util/bytes.hpp"
#include "vpn/packet/ip_address.hpp"
#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn::testing {

inline IpAddress ip(const char* text) {
  return IpAddress::parse(text).value();
}

// IPv4 header (valid checksum) + `protocol` payload of `payload_size` bytes (0x61...).
inline util::Bytes ipv4_packet(const char* source, const char* destination, size_t payload_size,
                               uint8_t protocol = kProtocolUdp, uint8_t first_payload_byte = 0x61) {
  util::Bytes out = {0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, protocol, 0, 0};
  const uint16_t total = static_cast<uint16_t>(20 + payload_size);
  out[2] = static_cast<uint8_t>(total >> 8);
  out[3] = static_cast<uint8_t>(total);
  util::append(out, ip(source).bytes());
  util::append(out, ip(destination).bytes());
  const uint16_t sum = internet_checksum(util::ByteView(out.data(), 20));
  out[10] = static_cast<uint8_t>(sum >> 8);
  out[11] = static_cast<uint8_t>(sum);
  for (size_t i = 0; i < payload_size; ++i) out.push_back(i == 0 ? first_payload_byte : 0x61);
  return out;
}

inline util::Bytes ipv6_packet(const char* source, const char* destination, size_t payload_size,
                               uint8_t next_header = kProtocolUdp,
                               uint8_t first_payload_byte = 0x61) {
  util::Bytes out = {0x60, 0, 0, 0};
  util::put_u16_be(out, static_cast<uint16_t>(payload_size));
  out.push_back(next_header);
  out.push_back(64);
  util::append(out, ip(source).bytes());
  util::append(out, ip(destination).bytes());
  for (size_t i = 0; i < payload_size; ++i) out.push_back(i == 0 ? first_payload_byte : 0x61);
  return out;
}

}  // namespace edgevpn::vpn::testing
