// `edgevpn start`: join the network without a TUN device (relay / hop node). Runs the libp2p
// host on the listen addresses, keeps the bootstrap peers connected, stops on SIGINT/SIGTERM.
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
#include "p2p/host/host.hpp"
#include "util/log/log.hpp"

namespace edgevpn::cli {
namespace {

using namespace std::chrono_literals;
using p2p::Multiaddr;
using p2p::host::Host;

const std::vector<std::string> kDefaultListen = {"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"};

// Dials `addr` whenever its peer is not connected, backing off from 1 s to 1 min on failures.
asio::awaitable<void> keep_connected(Host& host, Multiaddr addr, const bool& stopping) {
  auto logger = log::get("cli");
  const crypto::PeerId peer = *addr.peer_id();
  auto backoff = 1s;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping) {
    std::chrono::seconds wait = 5s;
    if (!host.is_connected(peer)) {
      auto result = co_await host.connect(addr);
      if (stopping) co_return;
      if (result) {
        logger->info("connected to bootstrap peer {}", addr.to_string());
        backoff = 1s;
      } else {
        logger->warn("bootstrap peer {}: {} (retry in {} s)", addr.to_string(),
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

  const bool default_listen = options.listen_maddrs.empty();
  const auto& listen_text = default_listen ? kDefaultListen : options.listen_maddrs;
  p2p::host::HostConfig config;
  for (const auto& text : listen_text) {
    auto addr = Multiaddr::parse(text);
    if (!addr) return fail("bad listen address " + text + ": " + addr.error().message);
    if (!addr->tcp_endpoint()) {
      logger->warn("listen address {} skipped: only TCP is supported", text);
      continue;
    }
    config.listen_addrs.push_back(*addr);
  }
  if (config.listen_addrs.empty()) return fail("no usable listen address");
  if (options.max_connections > 0) {
    config.max_inbound_connections = static_cast<size_t>(options.max_connections);
  }

  std::vector<Multiaddr> bootstrap;
  for (const auto& text : options.discovery_bootstrap_peers) {
    auto addr = Multiaddr::parse(text);
    if (!addr || !addr->peer_id() || !addr->tcp_endpoint()) {
      logger->warn("bootstrap peer {} skipped: need /ip4|ip6/<ip>/tcp/<port>/p2p/<id>", text);
      continue;
    }
    bootstrap.push_back(*addr);
  }

  asio::io_context io;
  auto host = std::make_unique<Host>(io, identity->key, config);
  if (auto status = host->start(); !status) {
    // Hosts without IPv6 still start on the default IPv4 address.
    if (!default_listen) return fail(status.error().message);
    logger->warn("{}; listening on IPv4 only", status.error().message);
    config.listen_addrs.resize(1);
    host = std::make_unique<Host>(io, identity->key, config);
    if (auto retry = host->start(); !retry) return fail(retry.error().message);
  }

  logger->info("peer ID {}", host->peer_id().to_base58());
  for (const auto& addr : host->advertised_addrs()) {
    logger->info("listening on {}", addr.with_peer_id(host->peer_id()).to_string());
  }
  host->on_peer_connected([logger](const crypto::PeerId& peer) {
    logger->debug("peer connected: {}", peer.to_base58());
  });
  host->on_peer_disconnected([logger](const crypto::PeerId& peer) {
    logger->debug("peer disconnected: {}", peer.to_base58());
  });

  bool stopping = false;
  for (const auto& addr : bootstrap) {
    asio::co_spawn(io, keep_connected(*host, addr, stopping), asio::detached);
  }
  asio::co_spawn(io, report_peers(*host, 2s, 5s, stopping), asio::detached);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int signal) {
    if (ec) return;
    logger->info("signal {}: shutting down", signal);
    stopping = true;
    asio::co_spawn(io, host->close(), [&io](std::exception_ptr) { io.stop(); });
  });
  io.run();
  host.reset();
  return 0;
}

}  // namespace edgevpn::cli
