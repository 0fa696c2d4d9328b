// The --ownership policy names of EdgeVPN v0.35 (spec section 6.6).
#pragma once

#include <string_view>

#include "util/result.hpp"

namespace edgevpn::node {

enum class OwnershipMode { kOff, kObserve, kEnforce };

// off | observe (log, log-only) | enforce (on); anything else is a start-up error.
util::Result<OwnershipMode> parse_ownership(std::string_view text);
std::string_view ownership_name(OwnershipMode mode);

}  // namespace edgevpn::node
