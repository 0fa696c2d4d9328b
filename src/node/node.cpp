// The node: wires the host, GossipSub and the live ledger together from a token, and keeps the
// bootstrap peers connected.
#include "node/node.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>

#include "util/log/log.hpp"

namespace edgevpn::node {
namespace {

using namespace std::chrono_literals;
using p2p::Multiaddr;

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

// Dials `addr` whenever its peer is not connected, backing off from 1 s to 1 min on failures.
asio::awaitable<void> keep_connected(p2p::host::Host& host, Multiaddr addr,
                                     std::shared_ptr<bool> stopping) {
  const crypto::PeerId peer = *addr.peer_id();
  auto backoff = 1s;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!*stopping) {
    std::chrono::seconds wait = 5s;
    if (!host.is_connected(peer)) {
      auto result = co_await host.connect(addr);
      if (*stopping) co_return;
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

}  // namespace

class Node::Impl {
 public:
  Impl(asio::io_context& io, NodeOptions options) : io_(io), options_(std::move(options)) {}

  asio::io_context& io_;
  NodeOptions options_;
  std::unique_ptr<p2p::host::Host> host_;
  std::unique_ptr<p2p::gossip::PubsubService> pubsub_;
  std::unique_ptr<ledger::live::LiveLedger> ledger_;
  std::shared_ptr<bool> stopping_ = std::make_shared<bool>(false);
};

util::Result<std::unique_ptr<Node>> Node::create(asio::io_context& io, NodeOptions options) {
  if (options.listen.empty()) {
    return util::make_error(util::Errc::kInvalidArgument, "no listen address");
  }
  for (const auto& addr : options.bootstrap_peers) {
    if (!addr.peer_id() || !addr.tcp_endpoint()) {
      return util::make_error(util::Errc::kInvalidArgument,
                              "bootstrap peer " + addr.to_string() +
                                  ": need /ip4|ip6/<ip>/tcp/<port>/p2p/<id>");
    }
  }
  if (options.network.max_message_size <= 0) {
    return util::make_error(util::Errc::kInvalidArgument, "max_message_size must be positive");
  }
  auto impl = std::make_unique<Impl>(io, std::move(options));
  const NodeOptions& o = impl->options_;

  p2p::host::HostConfig host_config;
  host_config.listen_addrs = o.listen;
  host_config.max_inbound_connections = o.max_inbound_connections;
  impl->host_ = std::make_unique<p2p::host::Host>(io, o.identity, host_config);

  p2p::pubsub::RouterConfig router;
  router.max_message_size = static_cast<size_t>(o.network.max_message_size);
  for (const auto& addr : o.bootstrap_peers) router.direct_peers.push_back(*addr.peer_id());
  impl->pubsub_ = std::make_unique<p2p::gossip::PubsubService>(io, *impl->host_, o.identity,
                                                                std::move(router));

  ledger::live::LiveLedgerConfig ledger_config;
  ledger_config.rotation.crypto = o.network.crypto;
  ledger_config.rotation.dht = o.network.dht;
  ledger_config.rotation.room = o.network.room;
  ledger_config.rotation.rendezvous = o.network.rendezvous;
  ledger_config.max_message_size = static_cast<size_t>(o.network.max_message_size);
  const auto ttl = o.ownership_ttl.count() > 0 ? o.ownership_ttl : 4 * o.heartbeat_interval;
  ledger_config.ledger = ledger::LedgerOptions::for_mode(to_ledger_mode(o.ownership), ttl);
  ledger_config.sync.legacy_compat = o.legacy_sync;
  ledger_config.sync.legacy_interval = o.ledger_sync_interval;
  ledger_config.state_dir = o.ledger_state_dir;
  ledger_config.announce_interval = o.ledger_announce_interval;
  ledger_config.heartbeat = o.heartbeat;
  ledger_config.heartbeat_interval = o.heartbeat_interval;
  ledger_config.scrub_interval = o.scrub_interval;
  ledger_config.heartbeat_max_age = o.heartbeat_max_age;
  auto ledger = ledger::live::LiveLedger::create(io, *impl->pubsub_, o.identity,
                                                 std::move(ledger_config));
  if (!ledger) return ledger.error();
  impl->ledger_ = std::move(*ledger);
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Node::~Node() {
  *impl_->stopping_ = true;
  impl_->ledger_->stop();
  impl_->pubsub_->stop();
}

util::Status Node::start() {
  EDGEVPN_TRY(impl_->host_->start());
  impl_->pubsub_->start();
  impl_->ledger_->start();
  for (const auto& addr : impl_->options_.bootstrap_peers) {
    asio::co_spawn(impl_->io_, keep_connected(*impl_->host_, addr, impl_->stopping_),
                   asio::detached);
  }
  return {};
}

asio::awaitable<void> Node::close() {
  *impl_->stopping_ = true;
  impl_->ledger_->stop();
  impl_->pubsub_->stop();
  co_await impl_->host_->close();
}

const crypto::PeerId& Node::peer_id() const { return impl_->host_->peer_id(); }
const NodeOptions& Node::options() const { return impl_->options_; }
p2p::host::Host& Node::host() { return *impl_->host_; }
p2p::gossip::PubsubService& Node::pubsub() { return *impl_->pubsub_; }
ledger::live::LiveLedger& Node::ledger() { return *impl_->ledger_; }

}  // namespace edgevpn::node
