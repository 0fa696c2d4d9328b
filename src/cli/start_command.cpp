// `edgevpn start`: join the network without a TUN device (relay / hop node): the node (host,
// GossipSub, ledger, heartbeats, bootstrap peers) until SIGINT/SIGTERM.
// libstdc++ first: asio picks its allocator from libstdc++ macros (aligned_alloc).
#include <cstddef>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <csignal>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "node/config/identity_cache.hpp"
#include "node/node.hpp"
#include "p2p/host/host.hpp"
#include "util/log/log.hpp"

namespace edgevpn::cli {
namespace {

using namespace std::chrono_literals;
using p2p::Multiaddr;
using node::Node;
using p2p::host::Host;

// After `first`, then every `period`, pings each connected peer and logs it with its address and
// round trip, so operators (and scripts/demo-network.sh) can see the mesh and its latency.
asio::awaitable<void> report_peers(Host& host, std::chrono::seconds first,
                                   std::chrono::seconds period, const bool& stopping) {
  auto logger = log::get("cli");
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (auto wait = first; !stopping; wait = period) {
    timer.expires_after(wait);
    asio::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (stopping) co_return;
    for (const auto& peer : host.connected_peers()) {
      const auto addrs = host.peerstore().addrs(peer);
      const std::string via = addrs.empty() ? std::string("?") : addrs.front().to_string();
      auto rtt = co_await host.ping(peer);
      if (stopping) co_return;
      if (rtt) {
        logger->info("peer {} connected via {} rtt {:.2f} ms", peer.to_base58(), via,
                     std::chrono::duration<double, std::milli>(*rtt).count());
      } else {
        logger->info("peer {} connected via {} ping failed: {}", peer.to_base58(), via,
                     rtt.error().describe());
      }
    }
  }
}

}  // namespace

int run_start(const node::Options& options) {
  auto setup = prepare_network_command(options);
  if (!setup) return kExitFailure;
  auto logger = log::get("cli");

  auto identity = node::node_identity(options.privkey_cache, options.privkey_cache_dir);
  if (!identity) return fail(identity.error().message);
  auto node_options =
      node::node_options_from(options, setup->network, setup->ownership, identity->key);
  if (!node_options) return fail(node_options.error().message);

  asio::io_context io;
  auto node = node::Node::create(io, *node_options);
  if (!node) return fail(node.error().message);
  if (auto status = (*node)->start(); !status) {
    // Hosts without IPv6 still start on the default IPv4 address.
    if (!options.listen_maddrs.empty()) return fail(status.error().message);
    logger->warn("{}; listening on IPv4 only", status.error().message);
    node_options->listen.resize(1);
    node.value().reset();
    node = node::Node::create(io, *node_options);
    if (!node) return fail(node.error().message);
    if (auto retry = (*node)->start(); !retry) return fail(retry.error().message);
  }
  Node& running = **node;
  Host& host = running.host();

  logger->info("peer ID {}", host.peer_id().to_base58());
  for (const auto& addr : host.advertised_addrs()) {
    logger->info("listening on {}", addr.with_peer_id(host.peer_id()).to_string());
  }
  host.on_peer_connected([logger](const crypto::PeerId& peer) {
    logger->debug("peer connected: {}", peer.to_base58());
  });
  host.on_peer_disconnected([logger](const crypto::PeerId& peer) {
    logger->debug("peer disconnected: {}", peer.to_base58());
  });

  bool stopping = false;
  asio::co_spawn(io, report_peers(host, 2s, 5s, stopping), asio::detached);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int signal) {
    if (ec) return;
    logger->info("signal {}: shutting down", signal);
    stopping = true;
    asio::co_spawn(io, running.close(), [&io](std::exception_ptr) { io.stop(); });
  });
  io.run();
  node.value().reset();
  return 0;
}

}  // namespace edgevpn::cli
