// Logging setup: one spdlog logger per layer ("p2p.yamux", "ledger", "vpn"), all writing to
// stderr with one format and one level.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <memory>
#include <string>
#include <string_view>

namespace edgevpn::log {

// Parses EdgeVPN's level names (debug, info, warn, error, fatal, ...). Unknown names give info.
spdlog::level::level_enum parse_level(const std::string& name);
void set_level(spdlog::level::level_enum level);
// Returns the logger of that name, creating it on first use.
std::shared_ptr<spdlog::logger> get(const std::string& name);
// For the completion of detached coroutines: logs an exception that escaped `what` at error
// level instead of losing it; a null `error` (normal completion) logs nothing.
void log_failure(spdlog::logger& logger, std::string_view what, std::exception_ptr error);

}  // namespace edgevpn::log
