// Declares EdgeVPN's flags (spec section 1) on CLI11 apps, bound to node::Options, with
// EdgeVPN's names, environment variables and defaults.
#pragma once

#include <CLI/CLI.hpp>

#include "node/config/options.hpp"

namespace edgevpn::cli {

// 1.3: on the root and on every network subcommand.
void add_common_flags(CLI::App& app, node::Options& options);
// 1.2: the root (VPN) command only.
void add_root_flags(CLI::App& app, node::Options& options);

void add_api_flags(CLI::App& app, node::Options& options);
void add_service_flags(CLI::App& app, node::Options& options, bool connect);
void add_file_flags(CLI::App& app, node::Options& options, bool send);
void add_proxy_flags(CLI::App& app, node::Options& options);
void add_dns_flags(CLI::App& app, node::Options& options);
void add_genkey_flags(CLI::App& app, node::Options& options);

}  // namespace edgevpn::cli
