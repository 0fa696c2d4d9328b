// Shared start-up steps of the network commands.
#include "cli/command_support.hpp"

#include <iostream>

#include "util/log/log.hpp"

namespace edgevpn::cli {

int fail(std::string_view message) {
  std::cerr << "edgevpn: " << message << "\n";
  return kExitFailure;
}

int not_available(std::string_view command) {
  std::cerr << "edgevpn: " << command << " is not available yet\n";
  return kExitNotAvailable;
}

std::optional<NetworkSetup> prepare_network_command(const node::Options& options) {
  auto ownership = node::parse_ownership(options.ownership);
  if (!ownership.ok()) {
    fail(ownership.error().message);
    return std::nullopt;
  }
  auto network = node::load_network_config(options.token, options.config);
  if (!network.ok()) {
    fail(network.error().message);
    return std::nullopt;
  }
  auto logger = log::get("cli");
  for (const auto& note : node::discovery_notes(*network)) logger->info("{}", note);
  return NetworkSetup{std::move(network).value(), *ownership};
}

}  // namespace edgevpn::cli
