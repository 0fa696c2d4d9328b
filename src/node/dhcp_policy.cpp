#include "node/dhcp_policy.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "crypto/hash.hpp"
#include "ledger/ledger_state.hpp"
#include "util/bytes.hpp"

namespace edgevpn::node {
namespace {

uint32_t to_u32(const vpn::IpAddress& address) {
  const auto bytes = address.bytes();
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

vpn::IpAddress from_u32(uint32_t value) {
  const std::array<uint8_t, 4> bytes = {static_cast<uint8_t>(value >> 24),
                                        static_cast<uint8_t>(value >> 16),
                                        static_cast<uint8_t>(value >> 8),
                                        static_cast<uint8_t>(value)};
  return vpn::IpAddress::v4(bytes.data());
}

DhcpDecision wait(std::string reason) {
  DhcpDecision decision;
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace

DhcpDecision decide_dhcp(const DhcpView& view) {
  if (view.available.size() < 2) return wait("waiting for at least 2 live nodes");
  std::vector<std::string> without_ip;
  for (const auto& peer : view.available) {
    const bool has_ip = std::any_of(view.machines.begin(), view.machines.end(),
                                    [&peer](const auto& entry) { return entry.second == peer; });
    if (!has_ip) without_ip.push_back(peer);
  }
  if (view.recorded_leader == view.self) {
    std::optional<uint32_t> highest;
    for (const auto& [text, owner] : view.machines) {
      auto address = vpn::IpAddress::parse(text);
      if (!address || !address->is_v4()) continue;
      highest = std::max(highest.value_or(0), to_u32(*address));
    }
    DhcpDecision decision;
    decision.kind = DhcpDecision::Kind::kTake;
    decision.address = highest ? from_u32(*highest + 1) : view.fallback;
    return decision;
  }
  const std::string elected = ledger::leader(without_ip);
  const bool recorded_waits = std::find(without_ip.begin(), without_ip.end(),
                                        view.recorded_leader) != without_ip.end();
  if (elected == view.self && (view.recorded_leader.empty() || !recorded_waits)) {
    DhcpDecision decision;
    decision.kind = DhcpDecision::Kind::kClaimLeadership;
    return decision;
  }
  return wait(view.recorded_leader.empty() ? "waiting for " + elected + " to allocate"
                                           : "waiting for " + view.recorded_leader + " to allocate");
}

std::string dhcp_lease_name(std::string_view crypto_key) {
  const std::string text = std::string(crypto_key) + "-ek";
  return crypto::md5_hex(util::as_bytes(text));
}

}  // namespace edgevpn::node
