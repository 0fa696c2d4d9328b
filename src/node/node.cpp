// The node: wires the host, GossipSub and the live ledger together from a token, keeps the
// bootstrap peers connected, runs discovery (DHT rendezvous, mDNS) and the connection manager.
#include "node/node.hpp"

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <unordered_set>

#include "ledger/live/live_ledger.hpp"
#include "node/machine_entry.hpp"
#include "p2p/discovery/kad_service.hpp"
#include "p2p/discovery/mdns_service.hpp"
#include "p2p/discovery/rendezvous_discovery.hpp"
#include "p2p/gossip/pubsub_service.hpp"
#include "p2p/host/blacklist.hpp"
#include "p2p/host/connection_manager.hpp"
#include "p2p/host/host.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::node {
namespace {

using namespace std::chrono_literals;
using p2p::Multiaddr;

// node.hpp declares DhtMode without its enumerators and defaults DiscoveryOptions::dht_mode to {}.
static_assert(p2p::discovery::DhtMode{} == p2p::discovery::DhtMode::kAuto);

std::shared_ptr<spdlog::logger> logger() {
  static auto instance = log::get("node");
  return instance;
}

ledger::OwnershipMode to_ledger_mode(OwnershipMode mode) {
  switch (mode) {
    case OwnershipMode::kOff: return ledger::OwnershipMode::kOff;
    case OwnershipMode::kObserve: return ledger::OwnershipMode::kObserve;
    case OwnershipMode::kEnforce: return ledger::OwnershipMode::kEnforce;
  }
  return ledger::OwnershipMode::kOff;
}

}  // namespace

const std::vector<std::string>& default_dht_bootstrap_peers() {
  static const std::vector<std::string> peers = {
      "/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
      "/dnsaddr/bootstrap.libp2p.io/p2p/QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa",
      "/dnsaddr/bootstrap.libp2p.io/p2p/QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb",
      "/dnsaddr/bootstrap.libp2p.io/p2p/QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt",
      "/ip4/104.131.131.82/tcp/4001/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ",
  };
  return peers;
}

class Node::Impl : public std::enable_shared_from_this<Node::Impl> {
 public:
  Impl(asio::io_context& io, NodeOptions options)
      : io_(io), options_(std::move(options)), tasks_(io.get_executor(), "node") {}

  // Background work holds the Impl weakly and locks it again after every suspension: the node
  // may be gone when a dial completes. close() cancels it and waits for it; ~Node cancels it.

  // Dials `addr` whenever its peer is not connected, backing off from 1 s to 1 min on failures.
  static asio::awaitable<void> keep_connected(std::weak_ptr<Impl> weak, Multiaddr addr) {
    const crypto::PeerId peer = *addr.peer_id();
    auto backoff = 1s;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      std::chrono::seconds wait = 5s;
      std::optional<asio::awaitable<util::Result<crypto::PeerId>>> dial;
      if (auto self = weak.lock(); !self || self->stopping_) {
        co_return;
      } else if (!self->host_->is_connected(peer)) {
        dial.emplace(self->host_->connect(addr));
      }
      if (dial) {
        auto result = co_await std::move(*dial);
        if (auto self = weak.lock(); !self || self->stopping_) co_return;
        if (result) {
          logger()->info("connected to bootstrap peer {}", addr.to_string());
          backoff = 1s;
        } else {
          logger()->warn("bootstrap peer {}: {} (retry in {} s)", addr.to_string(),
                         result.error().describe(), backoff.count());
          wait = backoff;
          backoff = std::min<std::chrono::seconds>(backoff * 2, 60s);
        }
      }
      timer.expires_after(wait);
      asio::error_code ignored;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  // Dials a peer that discovery found, trying its TCP addresses in turn.
  static asio::awaitable<void> dial_discovered(std::weak_ptr<Impl> weak, crypto::PeerId peer,
                                               std::vector<Multiaddr> addrs) {
    for (const auto& addr : addrs) {
      if (!addr.tcp_endpoint()) continue;
      const Multiaddr target = addr.without_peer_id().with_peer_id(peer);  // outlives the dial
      std::optional<asio::awaitable<util::Result<crypto::PeerId>>> dial;
      if (auto self = weak.lock(); !self || self->stopping_ || self->host_->is_connected(peer)) {
        co_return;
      } else {
        dial.emplace(self->host_->connect(target));
      }
      auto result = co_await std::move(*dial);
      auto self = weak.lock();
      if (!self || self->stopping_) co_return;
      if (result) {
        ++self->stats_->discovered_dials;
        logger()->info("connected to {} (mDNS)", peer.to_base58());
        co_return;
      }
      logger()->debug("mDNS peer {} at {}: {}", peer.to_base58(), addr.to_string(),
                      result.error().describe());
    }
  }

  // Peers on our ledger topic or in the machines bucket are never trimmed.
  bool is_protected(const crypto::PeerId& peer) {
    const auto on_topic = ledger_->topic_peers();
    if (std::find(on_topic.begin(), on_topic.end(), peer) != on_topic.end()) return true;
    if (machines_block_ != ledger_->last_block().hash) {  // a new block: read the bucket again
      machines_block_ = ledger_->last_block().hash;
      machine_peers_.clear();
      const auto data = ledger_->current_data();
      if (auto machines = data.find("machines"); machines != data.end()) {
        for (const auto& [key, value] : machines->second) {
          if (auto id = machine_peer(value)) machine_peers_.insert(*id);
        }
      }
    }
    return machine_peers_.count(peer.to_base58()) > 0;
  }

  void start_dht() {
    const NodeOptions& o = options_;
    if (!o.network.dht_enabled()) {
      logger()->warn("DHT discovery off: the network config has no otp.dht.key nor rendezvous");
      return;
    }
    p2p::discovery::KadConfig kad_config;
    kad_config.mode = o.discovery.dht_mode;
    kad_config.announce_addrs = o.discovery.dht_announce_addrs;
    kad_ = std::make_unique<p2p::discovery::KadService>(io_, *host_, kad_config);
    kad_->start();
    p2p::discovery::RendezvousConfig config;
    config.bootstrap_peers = o.discovery.dht_bootstrap_peers;
    config.max_interval = o.discovery.interval;
    config.initial_interval = std::min(o.discovery.initial_interval, o.discovery.interval);
    rendezvous_ = std::make_unique<p2p::discovery::RendezvousDiscovery>(
        io_, *host_, *kad_,
        [this] { return schedule_->rendezvous_ring(util::SystemClock().wall_now()); }, config);
    rendezvous_->on_peer_found([](const p2p::kad::PeerInfo& peer, bool connected) {
      logger()->debug("rendezvous peer {} ({})", peer.id.to_base58(),
                      connected ? "connected" : "unreachable");
    });
    rendezvous_->start();
    logger()->info("DHT discovery on ({} mode, {} bootstrap peers)",
                   kad_->server_mode() ? "server" : "client", config.bootstrap_peers.size());
  }

  void start_mdns() {
    if (!options_.network.mdns_enabled()) {
      logger()->warn("mDNS discovery off: the network config has no mdns service name");
      return;
    }
    p2p::discovery::MdnsConfig config;
    config.service = options_.network.mdns;
    mdns_ = std::make_unique<p2p::discovery::MdnsService>(io_, *host_, config);
    mdns_->on_peer_found([this](const p2p::mdns::DiscoveredPeer& peer) {
      ++stats_->mdns_peers_found;
      if (host_->is_connected(peer.id)) return;
      tasks_.spawn(dial_discovered(weak_from_this(), peer.id, peer.addrs), "mDNS dial");
    });
    if (auto status = mdns_->start(); !status) {
      logger()->warn("mDNS discovery off: {}", status.error().describe());
      mdns_.reset();
      return;
    }
    logger()->info("mDNS discovery on ({} interfaces)", mdns_->interfaces().size());
  }

  // Stops the background work and discovery (what ~Node and close() share).
  void stop() {
    stopping_ = true;
    tasks_.cancel();
    stop_discovery();
    ledger_->stop();
    pubsub_->stop();
  }

  void stop_discovery() {
    if (rendezvous_) rendezvous_->stop();
    if (kad_) kad_->stop();
    if (mdns_) mdns_->stop();
    if (connections_) connections_->stop();
  }

  asio::io_context& io_;
  NodeOptions options_;
  std::unique_ptr<p2p::host::Host> host_;
  std::unique_ptr<p2p::gossip::PubsubService> pubsub_;
  std::unique_ptr<ledger::live::LiveLedger> ledger_;
  std::optional<ledger::TopicSchedule> schedule_;
  std::unique_ptr<p2p::host::ConnectionManager> connections_;
  std::unique_ptr<p2p::discovery::KadService> kad_;
  std::unique_ptr<p2p::discovery::RendezvousDiscovery> rendezvous_;
  std::unique_ptr<p2p::discovery::MdnsService> mdns_;
  std::shared_ptr<DiscoveryStats> stats_ = std::make_shared<DiscoveryStats>();
  std::string machines_block_ = "(none)";
  std::unordered_set<std::string> machine_peers_;
  bool stopping_ = false;
  task::TaskGroup tasks_;  // bootstrap connections, dials of discovered peers
};

util::Result<std::unique_ptr<Node>> Node::create(asio::io_context& io, NodeOptions options) {
  if (options.listen.empty()) {
    return util::make_error(util::Errc::kInvalidArgument, "no listen address");
  }
  for (const auto& addr : options.bootstrap_peers) {
    if (!addr.peer_id() || !addr.tcp_endpoint()) {
      return util::make_error(
          util::Errc::kInvalidArgument,
          "bootstrap peer " + addr.to_string() + ": need /ip4|ip6/<ip>/tcp/<port>/p2p/<id>");
    }
  }
  if (options.network.max_message_size <= 0) {
    return util::make_error(util::Errc::kInvalidArgument, "max_message_size must be positive");
  }
  for (const auto& addr : options.discovery.dht_bootstrap_peers) {
    if (!addr.peer_id()) {
      return util::make_error(util::Errc::kInvalidArgument,
                              "DHT bootstrap peer " + addr.to_string() + ": no /p2p/<id>");
    }
  }
  const auto& connections = options.connections;
  if (connections.low_water > connections.high_water || connections.high_water == 0) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "connection low water must be at most the high water, which is "
                            "positive");
  }
  auto blacklist = p2p::host::Blacklist::parse(connections.blacklist);
  if (!blacklist) return blacklist.error();
  auto impl = std::make_shared<Impl>(io, std::move(options));
  const NodeOptions& o = impl->options_;

  p2p::host::HostConfig host_config;
  host_config.listen_addrs = o.listen;
  host_config.max_inbound_connections = o.max_inbound_connections;
  impl->host_ = std::make_unique<p2p::host::Host>(io, o.identity, host_config);
  if (!blacklist->empty()) {
    impl->host_->set_connection_gate(
        [list = std::move(*blacklist)](const Multiaddr& addr, const crypto::PeerId* peer) {
          return list.allows(addr, peer);
        });
  }
  p2p::host::ConnectionManagerConfig manager;
  manager.low_water = connections.low_water;
  manager.high_water = connections.high_water;
  manager.grace = connections.grace;
  impl->connections_ = std::make_unique<p2p::host::ConnectionManager>(io, *impl->host_, manager);

  p2p::pubsub::RouterConfig router;
  router.max_message_size = static_cast<size_t>(o.network.max_message_size);
  // One topic of small, rare messages (the ledger): a sparser mesh than GossipSub's default
  // (6/5/12) still reaches everyone in a few hops and sends each block over fewer links twice.
  router.d = 4;
  router.d_low = 3;
  router.d_high = 8;
  router.d_lazy = 4;
  // Bootstrap peers are ordinary mesh candidates, not GossipSub direct peers: a direct peer gets
  // every message on top of the mesh, which duplicates the ledger on every link.
  impl->pubsub_ =
      std::make_unique<p2p::gossip::PubsubService>(io, *impl->host_, o.identity, std::move(router));

  ledger::live::LiveLedgerConfig ledger_config;
  ledger_config.rotation.crypto = o.network.crypto;
  ledger_config.rotation.dht = o.network.dht;
  ledger_config.rotation.room = o.network.room;
  ledger_config.rotation.rendezvous = o.network.rendezvous;
  ledger_config.max_message_size = static_cast<size_t>(o.network.max_message_size);
  const auto ttl = o.ownership_ttl.count() > 0 ? o.ownership_ttl : 4 * o.heartbeat_interval;
  ledger_config.ledger = ledger::LedgerOptions::for_mode(to_ledger_mode(o.ownership), ttl);
  ledger_config.ledger.budget = ledger::LedgerBudget::for_message_size(
      static_cast<size_t>(o.network.max_message_size));
  ledger_config.sync.legacy_compat = o.legacy_sync;
  // Heartbeat refreshes wait for the next publish, up to two heartbeat intervals and at most half
  // the ownership liveness TTL, so owners never look dead in between.
  ledger_config.sync.background_interval = std::min<std::chrono::seconds>(2 * o.heartbeat_interval, ttl / 2);
  ledger_config.sync.legacy_interval = o.ledger_sync_interval;
  ledger_config.state_dir = o.ledger_state_dir;
  ledger_config.announce_interval = o.ledger_announce_interval;
  ledger_config.heartbeat = o.heartbeat;
  ledger_config.heartbeat_interval = o.heartbeat_interval;
  ledger_config.scrub_interval = o.scrub_interval;
  ledger_config.heartbeat_max_age = o.heartbeat_max_age;
  auto schedule = ledger::TopicSchedule::create(ledger_config.rotation);
  if (!schedule) return schedule.error();
  impl->schedule_ = std::move(*schedule);
  auto ledger =
      ledger::live::LiveLedger::create(io, *impl->pubsub_, o.identity, std::move(ledger_config));
  if (!ledger) return ledger.error();
  impl->ledger_ = std::move(*ledger);
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::Node(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Node::~Node() {
  impl_->stop();
}

util::Status Node::start() {
  Impl& impl = *impl_;
  EDGEVPN_TRY(impl.host_->start());
  impl.pubsub_->start();
  impl.ledger_->start();
  for (const auto& addr : impl.options_.bootstrap_peers) {
    impl.tasks_.spawn(Impl::keep_connected(impl_, addr), "bootstrap connection");
  }
  impl.connections_->protect_if(
      [&impl](const crypto::PeerId& peer) { return impl.is_protected(peer); });
  impl.connections_->start();
  if (impl.options_.discovery.dht) impl.start_dht();
  if (impl.options_.discovery.mdns) impl.start_mdns();
  // A node that lost every peer looks again at once; the rendezvous ticker then backs off.
  impl.host_->on_peer_disconnected([weak = std::weak_ptr<Impl>(impl_)](const crypto::PeerId&) {
    auto self = weak.lock();
    if (!self || self->stopping_ || self->host_->connection_count() > 0 || !self->rendezvous_) {
      return;
    }
    logger()->info("no peer left: looking for the network again");
    self->rendezvous_->trigger();
  });
  return {};
}

asio::awaitable<void> Node::close() {
  auto impl = impl_;
  impl->stop();
  co_await impl->tasks_.wait();
  co_await impl->host_->close();
}

const crypto::PeerId& Node::peer_id() const {
  return impl_->host_->peer_id();
}
const NodeOptions& Node::options() const {
  return impl_->options_;
}
p2p::host::Host& Node::host() {
  return *impl_->host_;
}
p2p::gossip::PubsubService& Node::pubsub() {
  return *impl_->pubsub_;
}
ledger::live::LiveLedger& Node::ledger() {
  return *impl_->ledger_;
}
p2p::discovery::KadService* Node::dht() {
  return impl_->kad_.get();
}

Node::DiscoveryStats Node::discovery_stats() const {
  DiscoveryStats out = *impl_->stats_;
  if (impl_->rendezvous_) {
    const auto rendezvous = impl_->rendezvous_->stats();
    out.rendezvous_rounds = rendezvous.rounds;
    out.rendezvous_peers_found = rendezvous.peers_found;
  }
  out.connections_trimmed = impl_->connections_->stats().peers_closed;
  return out;
}

}  // namespace edgevpn::node
