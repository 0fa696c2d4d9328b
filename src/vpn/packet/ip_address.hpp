// IPv4/IPv6 addresses and CIDR networks as fixed-size values, hashable for O(1) route lookups.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::vpn {

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress v4(const uint8_t* four_bytes);
  static IpAddress v6(const uint8_t* sixteen_bytes);
  // Dotted quad or any IPv6 text form (no zone, no brackets).
  static util::Result<IpAddress> parse(std::string_view text);

  bool is_v4() const { return version_ == 4; }
  bool is_v6() const { return version_ == 6; }
  bool empty() const { return version_ == 0; }
  int version() const { return version_; }
  // 4 or 16 bytes.
  util::ByteView bytes() const { return {bytes_.data(), is_v4() ? 4u : is_v6() ? 16u : 0u}; }
  std::string to_string() const;  // canonical text (Go's net.IP.String() for these forms)

  bool is_multicast() const;
  bool is_unspecified() const;
  bool is_limited_broadcast() const;  // 255.255.255.255
  bool is_loopback() const;

  bool operator==(const IpAddress& other) const = default;

 private:
  uint8_t version_ = 0;
  std::array<uint8_t, 16> bytes_{};
};

// An address with a prefix length, as `--address 10.1.0.1/24` (host bits are kept).
struct IpNetwork {
  IpAddress address;
  int prefix_length = 0;

  static util::Result<IpNetwork> parse(std::string_view cidr);
  bool contains(const IpAddress& other) const;
  // True when `other` is this IPv4 network's directed broadcast (host bits all ones).
  bool is_broadcast_of(const IpAddress& other) const;
  std::string to_string() const;
};

}  // namespace edgevpn::vpn

template <>
struct std::hash<edgevpn::vpn::IpAddress> {
  size_t operator()(const edgevpn::vpn::IpAddress& address) const noexcept {
    return std::hash<std::string_view>{}(edgevpn::util::as_string_view(address.bytes())) ^
           static_cast<size_t>(address.version());
  }
};
