// Tuning knobs of a yamux Session. Defaults follow go-libp2p's go-yamux.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "p2p/yamux/yamux_frame.hpp"

namespace edgevpn::p2p::yamux {

enum class Role { kClient, kServer };  // clients open odd stream IDs, servers even ones

struct Config {
  // Receive window each new stream starts with (at least kInitialWindow, which the peer
  // assumes anyway; the surplus is granted with the SYN/ACK window update).
  uint32_t initial_window = kInitialWindow;
  // Auto-tuning doubles a stream's receive window up to this.
  uint32_t max_window = 16 * 1024 * 1024;
  // Auto-tuning stops growing windows once the sum of all stream windows would exceed this.
  uint64_t max_total_window = 256ull * 1024 * 1024;
  bool auto_tune = true;
  // RTT assumed for auto-tuning until a ping measured one.
  std::chrono::nanoseconds assumed_rtt = std::chrono::milliseconds(10);

  // Inbound SYNs beyond this many open inbound streams are answered with RST.
  size_t max_inbound_streams = 1024;
  // open_stream() fails beyond this many open outbound streams.
  size_t max_outbound_streams = 1024;

  // open_stream() fails while this many outbound streams wait for the peer's ACK (the libp2p
  // spec's ACK backlog; go-yamux blocks instead). Retry after more events arrived.
  size_t max_ack_backlog = 256;

  // Largest payload of one data frame we emit (go-yamux: 64 KiB message incl. header).
  uint32_t max_frame_payload = 64 * 1024 - kHeaderSize;

  // Keepalive pings from tick(); zero disables them (the default).
  std::chrono::nanoseconds keepalive_interval{0};
  // tick() fails when a ping stays unanswered this long.
  std::chrono::nanoseconds ping_timeout = std::chrono::seconds(30);
};

}  // namespace edgevpn::p2p::yamux
