// What a yamux Session tells its host: polled with Session::next_event().
#pragma once

#include <chrono>
#include <cstdint>

namespace edgevpn::p2p::yamux {

struct Event {
  enum class Kind : uint8_t {
    kStreamOpened,  // the peer opened stream_id (our ACK is already queued)
    kReadable,      // stream_id has unread data (read until read() returns 0)
    kWritable,      // stream_id's send window reopened after a short write
    kRemoteClosed,  // the peer sent FIN on stream_id: read the rest, then EOF
    kStreamReset,   // the peer reset stream_id; it is gone with any unread data
    kGoAway,        // the peer sent GoAway with `code`; non-zero codes end the session
    kPingRtt,       // our ping `code` (opaque value) came back after `rtt`
  };

  Kind kind = Kind::kStreamOpened;
  uint32_t stream_id = 0;
  uint32_t code = 0;
  std::chrono::nanoseconds rtt{0};
};

const char* event_kind_name(Event::Kind kind);

}  // namespace edgevpn::p2p::yamux
