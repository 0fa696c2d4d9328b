// run_node: the life cycle shared by start, api, the VPN and the service/file commands.
#include "cli/node_runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <csignal>

#include "api/api_server.hpp"
#include "api/ui/ui_assets.hpp"
#include "cli/command_support.hpp"
#include "node/config/identity_cache.hpp"
#include "node/node_api_backend.hpp"
#include "p2p/host/host.hpp"
#include "util/log/log.hpp"

namespace edgevpn::cli {
namespace {

// --api on the main command (--api-listen), or the api command itself (--listen).
std::string api_listen_address(const node::Options& options) {
  if (options.command == node::Command::kApi) return options.listen;
  return options.api ? options.api_listen : std::string();
}

}  // namespace

int run_node(const node::Options& options, const std::function<util::Status(NodeRun&)>& attach) {
  auto setup = prepare_network_command(options);
  if (!setup) return kExitFailure;
  auto logger = log::get("cli");

  auto identity = node::node_identity(options.privkey_cache, options.privkey_cache_dir);
  if (!identity) return fail(identity.error().message);
  auto node_options =
      node::node_options_from(options, setup->network, setup->ownership, identity->key);
  if (!node_options) return fail(node_options.error().message);

  asio::io_context io;
  auto created = node::Node::create(io, *node_options);
  if (!created) return fail(created.error().message);
  std::unique_ptr<node::Node> node = std::move(*created);
  if (auto status = node->start(); !status) {
    // Hosts without IPv6 still start on the default IPv4 address.
    if (!options.listen_maddrs.empty()) return fail(status.error().message);
    logger->warn("{}; listening on IPv4 only", status.error().message);
    node_options->listen.resize(1);
    node.reset();
    auto retry = node::Node::create(io, *node_options);
    if (!retry) return fail(retry.error().message);
    node = std::move(*retry);
    if (auto again = node->start(); !again) return fail(again.error().message);
  }
  auto& host = node->host();
  logger->info("peer ID {}", host.peer_id().to_base58());
  for (const auto& addr : host.advertised_addrs()) {
    logger->info("listening on {}", addr.with_peer_id(host.peer_id()).to_string());
  }

  int exit_code = 0;
  bool stopping = false;
  NodeRun run{io, *node, options, {}, {}, {}};
  auto release = [&run] {
    for (auto it = run.at_exit.rbegin(); it != run.at_exit.rend(); ++it) (*it)();
    run.at_exit.clear();
  };
  struct ReleaseOnReturn {
    std::function<void()> release;
    ~ReleaseOnReturn() { release(); }
  } release_on_return{release};
  asio::signal_set signals(io, SIGINT, SIGTERM);
  auto shutdown = [&](int code) {
    if (stopping) return;
    stopping = true;
    exit_code = code;
    signals.cancel();
    for (auto it = run.on_stop.rbegin(); it != run.on_stop.rend(); ++it) (*it)();
    run.on_stop.clear();
    asio::co_spawn(io, node->close(), [&io](std::exception_ptr) { io.stop(); });
  };
  run.finish = [&io, &shutdown](int code) {
    asio::post(io, [&shutdown, code] { shutdown(code); });
  };

  std::unique_ptr<node::NodeApiBackend> api_backend;
  std::unique_ptr<api::ApiServer> api_server;
  if (const auto listen = api_listen_address(options); !listen.empty()) {
    api_backend = std::make_unique<node::NodeApiBackend>(*node);
    api::ApiServerOptions api_options;
    api_options.assets = api::ui::ui_assets();
    api_options.router.origin_policy.allowed_hosts = options.api_allowed_hosts;
    api_server = std::make_unique<api::ApiServer>(
        *api_backend, [&io](std::function<void()> task) { asio::post(io, std::move(task)); },
        std::move(api_options));
    if (auto status = api_server->start(listen); !status) {
      return fail("API on " + listen + ": " + status.error().message);
    }
    run.on_stop.push_back([&api_server] { api_server->stop(); });
  }

  if (auto status = attach(run); !status) {
    if (api_server) api_server->stop();
    return fail(status.error().message);
  }

  signals.async_wait([&](const asio::error_code& ec, int signal) {
    if (ec) return;
    logger->info("signal {}: shutting down", signal);
    shutdown(0);
  });
  io.run();
  if (api_server) api_server->stop();
  release();
  node.reset();
  return exit_code;
}

}  // namespace edgevpn::cli
