// TableUpkeep: who goes in the routing table, the refresh loop and bootstrap.
#include <set>

#include "p2p/discovery/dnsaddr.hpp"
#include "p2p/discovery/kad_core.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using util::Errc;
using util::make_error;
using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.kad");
  return log;
}

}  // namespace

void TableUpkeep::add(const crypto::PeerId& peer) {
  if (peer == core_.host.peer_id()) return;
  kad::PeerInfo info{peer, core_.host.peerstore().addrs(peer), kad::ConnectionType::kNotConnected};
  auto result = core_.table.update(kad::capped(std::move(info)), Clock::now());
  if (result.outcome == kad::RoutingTable::Outcome::kPingOldest && result.to_ping) {
    core_.tasks->spawn(ping_member(core_.shared_from_this(), *result.to_ping),
                       "ping bucket member");
  }
}

asio::awaitable<void> TableUpkeep::ping_member(std::shared_ptr<KadCore> self, kad::PeerInfo peer) {
  kad::Message ping;
  ping.type = kad::MessageType::kPing;
  auto answer = co_await self->requests.send(peer, ping);
  if (self->stopped) co_return;
  if (answer) {
    self->table.on_ping_success(peer.id, Clock::now());
  } else {
    self->table.remove(peer.id, Clock::now());
  }
}

void TableUpkeep::on_identified(const crypto::PeerId& peer) {
  if (core_.host.peerstore().supports(peer, core_.config.protocol)) {
    add(peer);
  } else if (core_.table.contains(peer)) {
    core_.table.remove(peer, Clock::now());  // switched to client mode
  }
}

void TableUpkeep::start_refresh_loop() {
  if (core_.config.refresh_interval.count() > 0) {
    core_.tasks->spawn(refresh_loop(core_.shared_from_this()), "refresh loop");
  }
}

void TableUpkeep::stop() {
  refresh_wake_.notify();
}

asio::awaitable<void> TableUpkeep::refresh() {
  if (core_.stopped) co_return;
  core_.providers.expire(Clock::now());
  core_.update_self_addrs();
  core_.apply_mode();
  (void)co_await core_.lookups.find_closest_peers(core_.host.peer_id().bytes());
}

asio::awaitable<void> TableUpkeep::refresh_loop(std::shared_ptr<KadCore> self) {
  while (!self->stopped) {
    co_await self->upkeep.refresh_wake_.wait_for(self->config.refresh_interval);
    if (self->stopped) break;
    co_await self->upkeep.refresh();
  }
}

asio::awaitable<void> TableUpkeep::connect_one(std::shared_ptr<KadCore> self,
                                               std::shared_ptr<FanOut> fan, Multiaddr addr) {
  auto connected = co_await self->host.connect(addr);
  if (self->stopped) connected = make_error(Errc::kClosed, "DHT stopped");
  if (connected) {
    ++fan->succeeded;
    self->upkeep.add(*connected);
  } else {
    logger()->debug("bootstrap peer {} unreachable: {}", addr.to_string(),
                    connected.error().describe());
  }
  --fan->pending;
  fan->wake.notify();
}

asio::awaitable<util::Result<size_t>> TableUpkeep::bootstrap(std::vector<Multiaddr> peers) {
  std::vector<Multiaddr> dialable;
  for (auto& addr : peers) {
    auto resolved = co_await resolve_dnsaddr(addr);
    if (core_.stopped) co_return make_error(Errc::kClosed, "DHT stopped");
    if (!resolved) {
      logger()->debug("cannot resolve {}: {}", addr.to_string(), resolved.error().describe());
      continue;
    }
    for (auto& one : *resolved) {
      if (one.tcp_endpoint()) dialable.push_back(std::move(one));
    }
  }
  // One address per peer at a time would be kinder; bootstrap lists are short, so dial them all.
  auto fan = std::make_shared<FanOut>(core_.executor);
  auto self = core_.shared_from_this();
  std::set<crypto::PeerId> seen;
  for (auto& addr : dialable) {
    if (auto id = addr.peer_id()) {
      if (*id == core_.host.peer_id() || !seen.insert(*id).second) continue;
    }
    ++fan->pending;
    core_.tasks->spawn(connect_one(self, fan, addr), "bootstrap dial");
  }
  while (fan->pending > 0 && !core_.stopped) co_await fan->wake.wait_for(std::chrono::seconds(1));
  if (core_.stopped) co_return make_error(Errc::kClosed, "DHT stopped");
  if (fan->succeeded == 0) co_return make_error(Errc::kNotFound, "no bootstrap peer reachable");
  co_await refresh();
  co_return fan->succeeded;
}

}  // namespace edgevpn::p2p::discovery
