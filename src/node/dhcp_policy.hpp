// EdgeVPN's experimental DHCP (spec 10.4), the decision part: from what the ledger says, should
// this node wait, claim the allocator role (dhcp/leader), or take an address now? Pure; the
// allocator runs it on a timer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpn/packet/ip_address.hpp"

namespace edgevpn::node {

struct DhcpView {
  std::string self;                    // our peer ID
  std::vector<std::string> available;  // peers with a heartbeat younger than 15 min
  // machines bucket: (address, owner peer ID) of every entry
  std::vector<std::pair<std::string, std::string>> machines;
  std::string recorded_leader;         // dhcp/leader, "" when unset
  vpn::IpAddress fallback;             // the --address IP: the first address of a new network
};

struct DhcpDecision {
  enum class Kind { kWait, kClaimLeadership, kTake };
  Kind kind = Kind::kWait;
  vpn::IpAddress address;  // kTake
  std::string reason;      // kWait: why, for the log
};

DhcpDecision decide_dhcp(const DhcpView& view);

// The lease file's name: MD5 hex of the token's crypto OTP key followed by "-ek".
std::string dhcp_lease_name(std::string_view crypto_key);

}  // namespace edgevpn::node
