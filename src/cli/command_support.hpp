// What every network command does before its own work: load and validate the network config,
// check --ownership, report discovery notes. Errors are printed; callers just exit.
#pragma once

#include <optional>
#include <string_view>

#include "node/config/network_config.hpp"
#include "node/config/options.hpp"
#include "node/config/ownership.hpp"

namespace edgevpn::cli {

inline constexpr int kExitFailure = 1;
inline constexpr int kExitNotAvailable = 2;

struct NetworkSetup {
  node::NetworkConfig network;
  node::OwnershipMode ownership = node::OwnershipMode::kEnforce;
};

// nullopt after printing the error (missing token/config, bad token, bad --ownership).
std::optional<NetworkSetup> prepare_network_command(const node::Options& options);

// Prints "edgevpn: <error>" on stderr and returns kExitFailure.
int fail(std::string_view message);

// For commands not implemented yet: "edgevpn: <command> is not available yet", exit 2.
int not_available(std::string_view command);

}  // namespace edgevpn::cli
