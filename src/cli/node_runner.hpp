// What every command that joins the network does: build the node from the options (token,
// identity, listen addresses with the IPv4-only fallback), start it, attach the command's
// features, run until SIGINT/SIGTERM, detach them, close the node.
#pragma once

#include <functional>
#include <string_view>

#include "node/config/options.hpp"
#include "node/node.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::cli {

struct NodeRun {
  asio::io_context& io;
  node::Node& node;
  const node::Options& options;
  // Run, in reverse order, before the node closes (stop servers, remove devices).
  std::vector<std::function<void()>> on_stop;
  // Ends the process's run (as a signal would) with this exit code.
  std::function<void(int exit_code)> finish;
  // Run once the event loop has ended (or attaching failed), before the node and the io_context
  // go: release what holds timers or sockets of the io_context.
  std::vector<std::function<void()>> at_exit;
};

// `attach` adds the command's features; an error is printed and the process exits 1. With
// `api_listen` non-empty the HTTP API is served there as well.
int run_node(const node::Options& options, const std::function<util::Status(NodeRun&)>& attach);

}  // namespace edgevpn::cli
