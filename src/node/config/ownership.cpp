// --ownership parsing.
#include "node/config/ownership.hpp"

#include <string>

namespace edgevpn::node {

util::Result<OwnershipMode> parse_ownership(std::string_view text) {
  if (text == "off") return OwnershipMode::kOff;
  if (text == "observe" || text == "log" || text == "log-only") return OwnershipMode::kObserve;
  if (text == "enforce" || text == "on") return OwnershipMode::kEnforce;
  return util::make_error(util::Errc::kInvalidArgument,
                          "ownership: unknown mode \"" + std::string(text) +
                              "\" (want off, observe, log, log-only, enforce or on)");
}

std::string_view ownership_name(OwnershipMode mode) {
  switch (mode) {
    case OwnershipMode::kOff: return "off";
    case OwnershipMode::kObserve: return "observe";
    case OwnershipMode::kEnforce: return "enforce";
  }
  return "enforce";
}

}  // namespace edgevpn::node
