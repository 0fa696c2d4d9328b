// Flags EdgeVPN has whose feature this build does not implement yet. They are accepted so
// scripts run unchanged, and reported once at start-up when set to a non-default value.
#pragma once

#include <string_view>
#include <vector>

#include "node/config/options.hpp"

namespace edgevpn::cli {

// Names (e.g. "--dhcp") of unavailable flags whose value differs from the command's default.
std::vector<std::string_view> unavailable_flags_in_use(const node::Options& options);
// Logs "<flag>: not available yet" once per such flag (warning level).
void log_unavailable_flags(const node::Options& options);

}  // namespace edgevpn::cli
