// The VPN routing table (machines bucket / static peer table / --router fallback).
#include "vpn/packet/route_index.hpp"

namespace edgevpn::vpn {

util::Result<RouteEntry> make_route_entry(std::string_view address, std::string_view peer_id) {
  EDGEVPN_TRY_ASSIGN(ip, IpAddress::parse(address));
  auto peer = crypto::PeerId::parse(peer_id);
  if (!peer.ok()) {
    return util::make_error(
        util::Errc::kInvalidArgument,
        "invalid peer ID '" + std::string(peer_id) + "': " + peer.error().message);
  }
  return RouteEntry{ip, std::move(peer).value()};
}

util::Result<RouteEntry> parse_peertable_entry(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "static peer table entry '" + std::string(text) + "' is not ip:peerid");
  }
  return make_route_entry(text.substr(0, colon), text.substr(colon + 1));
}

util::Result<std::vector<RouteEntry>> parse_peertable(std::span<const std::string> entries) {
  std::vector<RouteEntry> out;
  out.reserve(entries.size());
  for (const auto& entry : entries) {
    EDGEVPN_TRY_ASSIGN(route, parse_peertable_entry(entry));
    out.push_back(std::move(route));
  }
  return out;
}

void RouteIndex::rebuild_machines(std::span<const RouteEntry> machines) {
  Table table;
  std::unordered_set<crypto::PeerId> peers;
  table.reserve(machines.size());
  for (const auto& entry : machines) {
    table.insert_or_assign(entry.address, entry.peer);
    peers.insert(entry.peer);
  }
  machine_routes_ = std::move(table);
  machine_peers_ = std::move(peers);
}

void RouteIndex::set_static_table(std::span<const RouteEntry> table) {
  static_routes_.clear();
  static_peers_.clear();
  for (const auto& entry : table) {
    static_routes_.insert_or_assign(entry.address, entry.peer);
    static_peers_.insert(entry.peer);
  }
}

const crypto::PeerId* RouteIndex::lookup(const IpAddress& destination) const {
  const auto& table = active();
  const auto found = table.find(destination);
  return found == table.end() ? nullptr : &found->second;
}

const crypto::PeerId* RouteIndex::route(const IpAddress& source,
                                        const IpAddress& destination) const {
  if (router_ && own_ && source == *own_ && !machine_routes_.contains(destination)) {
    return lookup(*router_);
  }
  return lookup(destination);
}

bool RouteIndex::allows_peer(const crypto::PeerId& peer) const {
  return static_peers_.empty() ? machine_peers_.contains(peer) : static_peers_.contains(peer);
}

}  // namespace edgevpn::vpn
