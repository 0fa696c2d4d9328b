// Names of yamux session events, for logs and test messages.
#include "p2p/yamux/yamux_event.hpp"

namespace edgevpn::p2p::yamux {

const char* event_kind_name(Event::Kind kind) {
  switch (kind) {
    case Event::Kind::kStreamOpened: return "stream-opened";
    case Event::Kind::kReadable: return "readable";
    case Event::Kind::kWritable: return "writable";
    case Event::Kind::kRemoteClosed: return "remote-closed";
    case Event::Kind::kStreamReset: return "stream-reset";
    case Event::Kind::kGoAway: return "go-away";
    case Event::Kind::kPingRtt: return "ping-rtt";
  }
  return "unknown";
}

}  // namespace edgevpn::p2p::yamux
