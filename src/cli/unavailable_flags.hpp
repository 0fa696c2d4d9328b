// Flags EdgeVPN has whose feature this build does not implement yet. Set explicitly, they are
// refused (the command exits 2 naming them); features EdgeVPN turns on by default are reported
// once at start-up instead, so default command lines still run.
#pragma once

#include <string_view>
#include <vector>

#include "node/config/options.hpp"

namespace edgevpn::cli {

// Names (e.g. "--dhcp") of unavailable flags whose value differs from the command's default.
std::vector<std::string_view> unavailable_flags_in_use(const node::Options& options);
// The subset a user set explicitly (not a default-on feature): the command refuses to run.
std::vector<std::string_view> refused_flags(const node::Options& options);
// Logs "<flag>: not available yet" once per such flag (warning level).
void log_unavailable_flags(const node::Options& options);

}  // namespace edgevpn::cli
