// IPv4/IPv6 address and CIDR parsing and formatting (inet_pton/inet_ntop: pure functions).
#include "vpn/packet/ip_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace edgevpn::vpn {

IpAddress IpAddress::v4(const uint8_t* four_bytes) {
  IpAddress out;
  out.version_ = 4;
  std::memcpy(out.bytes_.data(), four_bytes, 4);
  return out;
}

IpAddress IpAddress::v6(const uint8_t* sixteen_bytes) {
  IpAddress out;
  out.version_ = 6;
  std::memcpy(out.bytes_.data(), sixteen_bytes, 16);
  return out;
}

util::Result<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "invalid IP address '" + std::string(text) + "'");
  }
  const std::string zero_terminated(text);
  uint8_t buffer[16];
  if (inet_pton(AF_INET, zero_terminated.c_str(), buffer) == 1) return v4(buffer);
  if (inet_pton(AF_INET6, zero_terminated.c_str(), buffer) == 1) {
    // Go prints IPv4-mapped IPv6 addresses as IPv4; the ledger keys follow Go's form.
    static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(buffer, kMappedPrefix, 12) == 0) return v4(buffer + 12);
    return v6(buffer);
  }
  return util::make_error(util::Errc::kInvalidArgument,
                          "invalid IP address '" + zero_terminated + "'");
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4()) inet_ntop(AF_INET, bytes_.data(), text, sizeof(text));
  if (is_v6()) inet_ntop(AF_INET6, bytes_.data(), text, sizeof(text));
  return text;
}

bool IpAddress::is_multicast() const {
  if (is_v4()) return (bytes_[0] & 0xf0) == 0xe0;
  return is_v6() && bytes_[0] == 0xff;
}

bool IpAddress::is_unspecified() const {
  for (uint8_t byte : bytes()) {
    if (byte != 0) return false;
  }
  return true;
}

bool IpAddress::is_limited_broadcast() const {
  return is_v4() && bytes_[0] == 0xff && bytes_[1] == 0xff && bytes_[2] == 0xff &&
         bytes_[3] == 0xff;
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  if (!is_v6()) return false;
  for (int i = 0; i < 15; ++i) {
    if (bytes_[i] != 0) return false;
  }
  return bytes_[15] == 1;
}

util::Result<IpNetwork> IpNetwork::parse(std::string_view cidr) {
  const auto slash = cidr.find('/');
  auto bad = [&](const char* why) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "invalid CIDR '" + std::string(cidr) + "': " + why);
  };
  if (slash == std::string_view::npos) return bad("missing /prefix");
  auto address = IpAddress::parse(cidr.substr(0, slash));
  if (!address.ok()) return bad("bad address");
  const auto prefix_text = cidr.substr(slash + 1);
  int prefix = -1;
  const auto [end, ec] =
      std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  if (prefix_text.empty() || ec != std::errc() || end != prefix_text.data() + prefix_text.size()) {
    return bad("bad prefix length");
  }
  const int max_prefix = address->is_v4() ? 32 : 128;
  if (prefix < 0 || prefix > max_prefix) return bad("prefix length out of range");
  return IpNetwork{*address, prefix};
}

bool IpNetwork::contains(const IpAddress& other) const {
  if (other.version() != address.version()) return false;
  const auto a = address.bytes();
  const auto b = other.bytes();
  int bits = prefix_length;
  for (size_t i = 0; i < a.size() && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

bool IpNetwork::is_broadcast_of(const IpAddress& other) const {
  if (!address.is_v4() || !other.is_v4() || prefix_length >= 31 || !contains(other)) return false;
  const uint32_t host_mask = 0xffffffffu >> prefix_length;
  return (util::get_u32_be(other.bytes().data()) & host_mask) == host_mask;
}

std::string IpNetwork::to_string() const {
  return address.to_string() + "/" + std::to_string(prefix_length);
}

}  // namespace edgevpn::vpn
