// The ping echo check.
#include "p2p/ping/ping_payload.hpp"

#include <algorithm>

namespace edgevpn::p2p::ping {

util::Status check_echo(util::ByteView sent, util::ByteView echoed) {
  if (sent.size() != kPayloadSize) {
    return util::make_error(util::Errc::kInvalidArgument, "ping payload must be 32 bytes");
  }
  if (echoed.size() != sent.size() || !std::equal(sent.begin(), sent.end(), echoed.begin())) {
    return util::make_error(util::Errc::kProtocol, "ping echo differs from the payload sent");
  }
  return {};
}

}  // namespace edgevpn::p2p::ping
