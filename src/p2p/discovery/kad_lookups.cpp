// Lookups: iterative FIND_NODE / GET_PROVIDERS driven by kad::Lookup.
#include <algorithm>

#include "p2p/discovery/kad_core.hpp"

namespace edgevpn::p2p::discovery {

using util::Errc;
using util::make_error;
using Clock = std::chrono::steady_clock;

asio::awaitable<void> Lookups::query(std::shared_ptr<KadCore> self, std::shared_ptr<Run> run,
                                     kad::LookupRequest request) {
  auto response = co_await self->requests.send(request.peer, request.message);
  if (self->stopped) {
    run->wake.notify();
    co_return;
  }
  if (response) {
    run->lookup.on_response(request.peer.id, *response, Clock::now());
    self->upkeep.add(request.peer.id);
  } else {
    run->lookup.on_failure(request.peer.id);
    if (response.error().code != Errc::kTimeout && self->table.contains(request.peer.id)) {
      self->table.remove(request.peer.id, Clock::now());
    }
  }
  run->wake.notify();
}

std::vector<kad::PeerInfo> Lookups::seeds_for(const util::Bytes& key) const {
  auto seeds = core_.table.closest(kad::key_for_bytes(key), core_.config.k);
  if (seeds.empty()) {
    // No table yet (e.g. right after connecting): ask connected peers that speak the DHT.
    for (const auto& peer : core_.host.connected_peers()) {
      if (core_.host.peerstore().supports(peer, core_.config.protocol)) {
        seeds.push_back(kad::PeerInfo{peer, core_.host.peerstore().addrs(peer), {}});
      }
    }
  }
  return seeds;
}

asio::awaitable<std::shared_ptr<Lookups::Run>> Lookups::run(kad::MessageType type, util::Bytes key,
                                                            size_t provider_limit) {
  ++core_.stats.lookups;
  kad::LookupConfig lookup_config;
  lookup_config.k = core_.config.k;
  lookup_config.alpha = core_.config.alpha;
  lookup_config.request_timeout = core_.config.query_timeout;
  lookup_config.provider_limit = std::max<size_t>(1, provider_limit);
  auto seeds = seeds_for(key);
  auto run = std::make_shared<Run>(
      core_.executor,
      kad::Lookup(type, std::move(key), core_.host.peer_id(), seeds, lookup_config));
  const auto give_up = Clock::now() + core_.config.lookup_timeout;
  auto self = core_.shared_from_this();
  while (!core_.stopped) {
    const auto now = Clock::now();
    if (now >= give_up) break;
    for (auto& request : run->lookup.next_requests(now)) {
      core_.tasks->spawn(query(self, run, std::move(request)), "lookup query");
    }
    if (run->lookup.done()) break;
    auto wake_at = run->lookup.next_deadline().value_or(give_up);
    co_await run->wake.wait_until(std::min(wake_at, give_up));
  }
  co_return run;
}

asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> Lookups::find_closest_peers(
    util::Bytes key) {
  auto run = co_await this->run(kad::MessageType::kFindNode, std::move(key), 1);
  if (core_.stopped) co_return make_error(Errc::kClosed, "DHT stopped");
  auto closest = run->lookup.closest();
  if (closest.empty()) co_return make_error(Errc::kNotFound, "no DHT peer answered");
  for (auto& peer : closest) {
    if (peer.addrs.empty()) peer.addrs = core_.host.peerstore().addrs(peer.id);
  }
  co_return closest;
}

asio::awaitable<util::Result<kad::PeerInfo>> Lookups::find_peer(crypto::PeerId peer) {
  auto known = core_.host.peerstore().addrs(peer);
  if (core_.host.is_connected(peer) && !known.empty()) {
    co_return kad::PeerInfo{peer, known, kad::ConnectionType::kConnected};
  }
  auto run = co_await this->run(kad::MessageType::kFindNode, peer.bytes(), 1);
  if (core_.stopped) co_return make_error(Errc::kClosed, "DHT stopped");
  known = core_.host.peerstore().addrs(peer);  // responses naming the peer filled the peerstore
  if (!known.empty()) co_return kad::PeerInfo{peer, known, kad::ConnectionType::kCanConnect};
  co_return make_error(Errc::kNotFound, "peer not found in the DHT: " + peer.to_base58());
}

}  // namespace edgevpn::p2p::discovery
