// State of one yamux stream inside a Session: flow-control windows, half-close flags and the
// received bytes. Plain data; the Session enforces the protocol.
#pragma once

#include <cstdint>

#include "p2p/yamux/yamux_frame.hpp"
#include "p2p/yamux/yamux_receive_buffer.hpp"
#include "util/clock.hpp"

namespace edgevpn::p2p::yamux {

struct Stream {
  uint32_t id = 0;
  bool outbound = false;       // opened by us
  bool acknowledged = false;   // outbound: the peer's ACK arrived
  bool local_closed = false;   // we sent FIN
  bool remote_closed = false;  // the peer's FIN arrived (applied after that frame's payload)

  // Bytes we may still send before the peer grants more.
  uint32_t send_window = kInitialWindow;
  // Bytes the peer may still send us (what we granted minus what arrived).
  uint32_t receive_credit = kInitialWindow;
  // Current receive window target; grows by auto-tuning up to Config::max_window.
  uint32_t receive_window = kInitialWindow;
  // When we last granted window: the start of the current auto-tuning epoch.
  util::SteadyTime window_epoch{};

  ReceiveBuffer received;

  bool readable_event_pending = false;  // one kReadable in the queue at a time
  bool write_blocked = false;           // a write was cut short by the send window

  // Window the peer has already been given back implicitly: consumed bytes not yet granted.
  uint32_t unannounced_window() const {
    return receive_window - receive_credit - static_cast<uint32_t>(received.size());
  }
  bool finished() const { return local_closed && remote_closed && received.empty(); }
};

}  // namespace edgevpn::p2p::yamux
