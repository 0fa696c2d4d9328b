// Builds ICMP/ICMPv6 destination-unreachable errors for dropped packets, with the RFC rules on
// when not to answer, and the rate limiter that bounds them.
#include "vpn/packet/icmp_unreachable.hpp"

#include <algorithm>

#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn {
namespace {

constexpr size_t kIpv4ErrorMax = 576;   // RFC 1812 4.3.2.3
constexpr size_t kIpv6ErrorMax = 1280;  // RFC 4443 2.4(c)
constexpr uint8_t kHopLimit = 64;

bool is_icmpv4_query(uint8_t type) {
  return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

bool answerable_v4(util::ByteView packet, const IpHeader& header,
                   const UnreachableOptions& options) {
  if (header.fragment_offset != 0) return false;
  if (header.destination.is_multicast() || header.destination.is_limited_broadcast()) return false;
  if (options.local_network && options.local_network->is_broadcast_of(header.destination))
    return false;
  const auto& source = header.source;
  if (source.is_unspecified() || source.is_multicast() || source.is_limited_broadcast() ||
      source.is_loopback()) {
    return false;
  }
  if (header.protocol == kProtocolIcmp) {
    if (header.total_length <= header.header_length) return false;
    if (!is_icmpv4_query(packet[header.header_length])) return false;
  }
  return true;
}

bool answerable_v6(util::ByteView packet, const IpHeader& header) {
  if (header.destination.is_multicast()) return false;
  if (header.source.is_unspecified() || header.source.is_multicast() ||
      header.source.is_loopback()) {
    return false;
  }
  uint8_t next = header.protocol;
  size_t offset = kIpv6Header;
  const size_t end = header.total_length;
  for (int hops = 0; hops < 16; ++hops) {
    if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
      if (offset + 2 > end) return false;
      const size_t length = (static_cast<size_t>(packet[offset + 1]) + 1) * 8;
      next = packet[offset];
      offset += length;
    } else if (next == 44) {  // fragment
      if (offset + 8 > end) return false;
      if ((util::get_u16_be(packet.data() + offset + 2) >> 3) != 0) return false;
      next = packet[offset];
      offset += 8;
    } else if (next == kProtocolIcmpv6) {
      if (offset + 1 > end) return false;
      const uint8_t type = packet[offset];
      return type >= 128 && type != 137;  // not an error, not a redirect
    } else {
      return true;
    }
  }
  return false;
}

util::Bytes build_v4(util::ByteView packet, const IpHeader& header, const IpAddress& responder) {
  const size_t quoted = std::min(header.total_length, kIpv4ErrorMax - 28);
  util::Bytes out;
  out.reserve(28 + quoted);
  const uint8_t ip_header[20] = {0x45, 0xc0, 0, 0, 0, 0, 0, 0, kHopLimit, kProtocolIcmp, 0, 0};
  out.insert(out.end(), ip_header, ip_header + 20);
  const uint16_t total = static_cast<uint16_t>(28 + quoted);
  out[2] = static_cast<uint8_t>(total >> 8);
  out[3] = static_cast<uint8_t>(total);
  std::copy_n(responder.bytes().data(), 4, out.begin() + 12);
  std::copy_n(header.source.bytes().data(), 4, out.begin() + 16);
  const uint16_t ip_sum = internet_checksum(util::ByteView(out.data(), 20));
  out[10] = static_cast<uint8_t>(ip_sum >> 8);
  out[11] = static_cast<uint8_t>(ip_sum);
  const uint8_t icmp_header[8] = {3, 1, 0, 0, 0, 0, 0, 0};  // host unreachable
  out.insert(out.end(), icmp_header, icmp_header + 8);
  out.insert(out.end(), packet.begin(), packet.begin() + quoted);
  const uint16_t icmp_sum = internet_checksum(util::ByteView(out).subspan(20));
  out[22] = static_cast<uint8_t>(icmp_sum >> 8);
  out[23] = static_cast<uint8_t>(icmp_sum);
  return out;
}

util::Bytes build_v6(util::ByteView packet, const IpHeader& header, const IpAddress& responder) {
  const size_t quoted = std::min(header.total_length, kIpv6ErrorMax - 48);
  const uint16_t payload = static_cast<uint16_t>(8 + quoted);
  util::Bytes out;
  out.reserve(48 + quoted);
  const uint8_t fixed[8] = {0x60,
                            0,
                            0,
                            0,
                            static_cast<uint8_t>(payload >> 8),
                            static_cast<uint8_t>(payload),
                            kProtocolIcmpv6,
                            kHopLimit};
  out.insert(out.end(), fixed, fixed + 8);
  util::append(out, responder.bytes());
  util::append(out, header.source.bytes());
  const uint8_t icmp_header[8] = {1, 3, 0, 0, 0, 0, 0, 0};  // address unreachable
  out.insert(out.end(), icmp_header, icmp_header + 8);
  out.insert(out.end(), packet.begin(), packet.begin() + quoted);
  // Pseudo-header: source, destination, upper-layer length (32 bits), zeros, next header.
  uint32_t sum = checksum_add(util::ByteView(out.data() + 8, 32));
  const uint8_t tail[8] = {0,
                           0,
                           static_cast<uint8_t>(payload >> 8),
                           static_cast<uint8_t>(payload),
                           0,
                           0,
                           0,
                           kProtocolIcmpv6};
  sum = checksum_add(util::ByteView(tail, 8), sum);
  const uint16_t icmp_sum = checksum_finish(checksum_add(util::ByteView(out).subspan(40), sum));
  out[42] = static_cast<uint8_t>(icmp_sum >> 8);
  out[43] = static_cast<uint8_t>(icmp_sum);
  return out;
}

}  // namespace

std::optional<util::Bytes> make_destination_unreachable(util::ByteView dropped,
                                                        const UnreachableOptions& options) {
  auto header = parse_ip_header(dropped);
  if (!header.ok()) return std::nullopt;
  const IpAddress responder = options.responder.value_or(header->destination);
  if (responder.version() != header->version) return std::nullopt;
  if (header->version == 4) {
    if (!answerable_v4(dropped, *header, options)) return std::nullopt;
    return build_v4(dropped, *header, responder);
  }
  if (!answerable_v6(dropped, *header)) return std::nullopt;
  return build_v6(dropped, *header, responder);
}

bool IcmpRateLimiter::allow(util::SteadyTime now) {
  if (last_ && now > *last_) {
    const double elapsed = std::chrono::duration<double>(now - *last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
  }
  if (!last_ || now > *last_) last_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace edgevpn::vpn
