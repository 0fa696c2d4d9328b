// `edgevpn service-add` and `edgevpn service-connect` (spec 10.2): expose local TCP endpoints to
// the network, and bind local ports tunnelled to them. Beyond EdgeVPN, both take any number of
// repeatable `--service NAME=ADDRESS` as well as EdgeVPN's `NAME ADDRESS` / --name --address.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/node_runner.hpp"
#include "services/service_connector.hpp"
#include "services/service_exposer.hpp"
#include "util/log/log.hpp"

namespace edgevpn::cli {
namespace {

struct Binding {
  std::string name;
  services::HostPort address;
};

// The services of the command line, or an error naming what is wrong.
util::Result<std::vector<Binding>> bindings_from(const node::Options& options) {
  using util::Errc;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& spec : options.services) {
    const auto equals = spec.find('=');
    if (equals == std::string::npos || equals == 0) {
      return util::make_error(Errc::kInvalidArgument,
                              "--service '" + spec + "': want NAME=HOST:PORT");
    }
    pairs.emplace_back(spec.substr(0, equals), spec.substr(equals + 1));
  }
  if (options.args.size() > 2) {
    return util::make_error(Errc::kInvalidArgument,
                            "too many arguments (want NAME ADDRESS; use --service for more)");
  }
  std::string name = !options.args.empty() ? options.args[0] : options.name;
  std::string address = options.args.size() > 1 ? options.args[1] : options.service_address;
  if (!name.empty() || !address.empty()) {
    if (name.empty() || address.empty()) {
      return util::make_error(Errc::kInvalidArgument, "Name and address are required");
    }
    pairs.emplace_back(std::move(name), std::move(address));
  }
  if (pairs.empty()) {
    return util::make_error(Errc::kInvalidArgument, "Name and address are required");
  }
  std::vector<Binding> out;
  for (auto& [name, text] : pairs) {
    auto parsed = services::parse_host_port(text);
    if (!parsed) return parsed.error();
    out.push_back({std::move(name), std::move(*parsed)});
  }
  return out;
}

}  // namespace

int run_service_add(const node::Options& options) {
  auto bindings = bindings_from(options);
  if (!bindings) return fail(bindings.error().message);
  return run_node(options, [&bindings](NodeRun& run) -> util::Status {
    auto exposer = std::make_shared<services::ServiceExposer>(run.io, run.node.host(),
                                                              run.node.ledger());
    for (const auto& binding : *bindings) {
      if (auto status = exposer->add(binding.name, binding.address); !status) return status;
    }
    exposer->start();
    run.on_stop.push_back([exposer] { exposer->stop(); });
    return {};
  });
}

int run_service_connect(const node::Options& options) {
  auto bindings = bindings_from(options);
  if (!bindings) return fail(bindings.error().message);
  return run_node(options, [&bindings](NodeRun& run) -> util::Status {
    auto connector = std::make_shared<services::ServiceConnector>(run.io, run.node.host(),
                                                                  run.node.ledger());
    for (const auto& binding : *bindings) {
      if (auto status = connector->add(binding.name, binding.address); !status) {
        return util::make_error(status.error().code,
                                "service '" + binding.name + "': " + status.error().message);
      }
    }
    connector->start();
    run.on_stop.push_back([connector] { connector->stop(); });
    return {};
  });
}

}  // namespace edgevpn::cli
