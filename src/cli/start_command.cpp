// `edgevpn start` (the node without a TUN device: relay / hop node) and `edgevpn api` (the node
// and its HTTP API).
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <memory>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/node_runner.hpp"
#include "p2p/host/host.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::cli {
namespace {

using namespace std::chrono_literals;
using p2p::host::Host;

// After `first`, then every `period`, pings each connected peer and logs it with its address and
// round trip, so operators can see the mesh and its latency. Runs until its group is cancelled,
// which happens before the node (the host's owner) closes.
asio::awaitable<void> report_peers(Host& host, std::chrono::seconds first,
                                   std::chrono::seconds period) {
  auto logger = log::get("cli");
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (auto wait = first;; wait = period) {
    timer.expires_after(wait);
    co_await timer.async_wait(asio::use_awaitable);  // throws when cancelled
    for (const auto& peer : host.connected_peers()) {
      const auto addrs = host.peerstore().addrs(peer);
      const std::string via = addrs.empty() ? std::string("?") : addrs.front().to_string();
      auto rtt = co_await host.ping(peer);
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
  return run_node(options, [](NodeRun& run) -> util::Status {
    auto tasks = std::make_shared<task::TaskGroup>(run.io.get_executor(), "start");
    tasks->spawn(report_peers(run.node.host(), 2s, 5s), "peer report");
    run.on_stop.push_back([tasks] { tasks->cancel(); });
    return {};
  });
}

// `edgevpn api`: the node and its HTTP API on --listen (run_node serves it).
int run_api(const node::Options& options) {
  return run_node(options, [](NodeRun&) -> util::Status { return {}; });
}

}  // namespace edgevpn::cli
