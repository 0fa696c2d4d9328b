// Go time.Duration text ("15s", "30m0s", "1h0m0s", "1.5h", "300ms"), as EdgeVPN's duration flags
// take it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace edgevpn::node {

util::Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);
// Go's Duration.String(): "1h0m0s", "30s", "1.5s", "300ms", "0s".
std::string format_go_duration(std::chrono::nanoseconds duration);

}  // namespace edgevpn::node
