// "Destination unreachable" for packets we drop for lack of a route: ICMP type 3 code 1 (host)
// and ICMPv6 type 1 code 3 (address), following RFC 1812 / RFC 4443 on when not to answer.
#pragma once

#include <chrono>
#include <optional>

#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "vpn/packet/ip_address.hpp"

namespace edgevpn::vpn {

struct UnreachableOptions {
  // Source of the error. Default: the unreachable destination itself. Our own TUN address
  // would be dropped by the kernel as a martian (a local address arriving from outside).
  std::optional<IpAddress> responder;
  // The TUN's network, to recognise its IPv4 directed broadcast.
  std::optional<IpNetwork> local_network;
};

// The error packet to write back into the TUN, or nullopt when none must be sent: the dropped
// packet is malformed, an ICMP error or redirect, a non-first fragment, addressed to multicast or
// broadcast, or from a non-unicast source.
std::optional<util::Bytes> make_destination_unreachable(util::ByteView dropped,
                                                        const UnreachableOptions& options = {});

// Token bucket limiting the errors we generate; driven by `now`.
class IcmpRateLimiter {
 public:
  explicit IcmpRateLimiter(double per_second = 100, double burst = 20)
      : per_second_(per_second), burst_(burst), tokens_(burst) {}

  bool allow(util::SteadyTime now);

 private:
  double per_second_;
  double burst_;
  double tokens_;
  std::optional<util::SteadyTime> last_;
};

}  // namespace edgevpn::vpn
