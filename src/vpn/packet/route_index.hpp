// The VPN routing table: destination address -> peer, built from the ledger's `machines` bucket
// or a static peer table, with EdgeVPN's `--router` fallback (spec 10.1). O(1) lookups.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crypto/peer_id.hpp"
#include "util/result.hpp"
#include "vpn/packet/ip_address.hpp"

namespace edgevpn::vpn {

struct RouteEntry {
  IpAddress address;
  crypto::PeerId peer;
};

// One `machines` entry: key = VPN IP text, value's PeerID = base58 peer ID text.
util::Result<RouteEntry> make_route_entry(std::string_view address, std::string_view peer_id);
// One `--static-peertable` entry `ip:peerid`. Unlike EdgeVPN before v0.35.4, the peer ID is
// decoded (not cast). The split is at the last ':', so IPv6 addresses work too.
util::Result<RouteEntry> parse_peertable_entry(std::string_view text);
util::Result<std::vector<RouteEntry>> parse_peertable(std::span<const std::string> entries);

class RouteIndex {
 public:
  // Replaces the routes learnt from the ledger. Later duplicates of an address win.
  void rebuild_machines(std::span<const RouteEntry> machines);
  // A non-empty static table is used exclusively for lookups and access control.
  void set_static_table(std::span<const RouteEntry> table);
  void set_own_address(std::optional<IpAddress> own) { own_ = own; }
  // `--router`: packets from our own address to an unknown destination go to this VPN IP.
  void set_router(std::optional<IpAddress> router) { router_ = router; }

  // Exact lookup of the active table (static if set, else machines).
  const crypto::PeerId* lookup(const IpAddress& destination) const;
  // EdgeVPN's send-path rule: the router fallback (decided on the machines table, as Go does),
  // then lookup. nullptr = drop (no route).
  const crypto::PeerId* route(const IpAddress& source, const IpAddress& destination) const;
  // Spec 7.4: may this peer open VPN streams to us?
  bool allows_peer(const crypto::PeerId& peer) const;

  bool uses_static_table() const { return !static_routes_.empty(); }
  size_t size() const { return active().size(); }

 private:
  using Table = std::unordered_map<IpAddress, crypto::PeerId>;
  const Table& active() const { return static_routes_.empty() ? machine_routes_ : static_routes_; }

  Table machine_routes_;
  Table static_routes_;
  std::unordered_set<crypto::PeerId> machine_peers_;
  std::unordered_set<crypto::PeerId> static_peers_;
  std::optional<IpAddress> own_;
  std::optional<IpAddress> router_;
};

}  // namespace edgevpn::vpn
