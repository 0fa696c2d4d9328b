// `edgevpn file-send` and `edgevpn file-receive` (spec 10.3): serve one file until stopped;
// fetch one file, then exit (0 once it is in place, 1 when it fails its integrity check).
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <memory>
#include <string>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/node_runner.hpp"
#include "services/file_transfer.hpp"
#include "util/log/log.hpp"

namespace edgevpn::cli {

int run_file_send(const node::Options& options) {
  if (options.name.empty() || options.path.empty()) return fail("--name and --path are required");
  return run_node(options, [&options](NodeRun& run) -> util::Status {
    auto sender = std::make_shared<services::FileSender>(run.io, run.node.host(),
                                                         run.node.ledger());
    if (auto status = sender->start(options.name, options.path); !status) return status;
    run.on_stop.push_back([sender] { sender->stop(); });
    return {};
  });
}

int run_file_receive(const node::Options& options) {
  // EdgeVPN: positionals first, then the flags.
  std::string name = !options.args.empty() ? options.args[0] : options.name;
  std::string path = options.args.size() > 1 ? options.args[1] : options.path;
  if (name.empty() || path.empty()) return fail("Name and path are required");
  return run_node(options, [name, path](NodeRun& run) -> util::Status {
    auto stop = std::make_shared<bool>(false);
    services::FileReceiveOptions receive{name, path};
    auto finish = run.finish;
    asio::co_spawn(run.io, services::receive_file(run.node.host(), run.node.ledger(), receive, stop),
                   [finish, stop](std::exception_ptr error, util::Status status) {
                     if (*stop) return;  // shutting down on a signal
                     if (error || !status) {
                       log::get("cli")->error(
                           "file-receive: {}",
                           error ? std::string("internal error") : status.error().message);
                       finish(kExitFailure);
                       return;
                     }
                     finish(0);
                   });
    run.on_stop.push_back([stop] { *stop = true; });
    return {};
  });
}

}  // namespace edgevpn::cli
