// The callback that stream decoders hand whole packets to; the view is valid only during the call.
#pragma once

#include <functional>

#include "util/bytes.hpp"

namespace edgevpn::vpn {

using PacketSink = std::function<void(util::ByteView packet)>;

}  // namespace edgevpn::vpn
