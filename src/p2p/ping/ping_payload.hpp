// /ipfs/ping/1.0.0: the dialer writes 32 random bytes, the listener echoes them back; repeated
// on the same stream. This holds the constants and the echo check; the host does the I/O.
#pragma once

#include <cstddef>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::ping {

inline constexpr std::string_view kProtocolId = "/ipfs/ping/1.0.0";
inline constexpr size_t kPayloadSize = 32;

// OK when `echoed` is exactly the payload we sent; kProtocol otherwise.
util::Status check_echo(util::ByteView sent, util::ByteView echoed);

}  // namespace edgevpn::p2p::ping
