// Configures a network interface through rtnetlink (libnl-route): MTU, addresses, link up; the
// returned guard removes the addresses it added, so nothing stays half-configured.
#pragma once

#include <string>
#include <vector>

#include "util/result.hpp"
#include "vpn/packet/ip_address.hpp"

namespace edgevpn::vpn {

inline constexpr int kIpv6MinMtu = 1280;

struct InterfaceSettings {
  std::vector<IpNetwork> addresses;  // IPv4 and/or IPv6 (dual stack)
  int mtu = 1200;                    // EdgeVPN's --mtu default
  bool bring_up = true;
};

// Checks settings without touching the system: MTU range, IPv6 needs MTU >= 1280, duplicates.
util::Status validate_interface_settings(const InterfaceSettings& settings);

class InterfaceConfiguration {
 public:
  // Applies `settings` to the existing interface `name`. On failure every change already made
  // to its addresses is undone. kInvalidArgument for an address already in use (on this or
  // another interface), kIo with a readable reason for kernel refusals (e.g. no CAP_NET_ADMIN).
  static util::Result<InterfaceConfiguration> apply(const std::string& name,
                                                    const InterfaceSettings& settings);

  InterfaceConfiguration(InterfaceConfiguration&& other) noexcept;
  InterfaceConfiguration& operator=(InterfaceConfiguration&& other) noexcept;
  InterfaceConfiguration(const InterfaceConfiguration&) = delete;
  InterfaceConfiguration& operator=(const InterfaceConfiguration&) = delete;
  ~InterfaceConfiguration();

  int ifindex() const { return ifindex_; }
  const std::vector<IpNetwork>& addresses() const { return added_; }
  // Removes the addresses now (also done by the destructor).
  util::Status remove();

 private:
  InterfaceConfiguration(int ifindex, std::vector<IpNetwork> added)
      : ifindex_(ifindex), added_(std::move(added)) {}

  int ifindex_ = 0;
  std::vector<IpNetwork> added_;
};

}  // namespace edgevpn::vpn
