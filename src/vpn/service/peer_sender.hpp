// The outbound side towards one peer: a bounded queue of framed packets and the coroutine that
// drains it, over one long-lived fast-path stream, or one /edgevpn/0.1 stream per packet when the
// peer is a Go EdgeVPN node. Internal to the service.
#pragma once

#include <asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <optional>

#include "crypto/peer_id.hpp"
#include "p2p/host/stream.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "vpn/packet/fast_framing.hpp"
#include "vpn/service/wake_signal.hpp"

namespace edgevpn::vpn {

struct ServiceCore;

enum class PeerMode { kUnknown, kFastPath, kLegacy };

struct PeerSender {
  PeerSender(const asio::any_io_executor& executor, crypto::PeerId peer_id)
      : peer(std::move(peer_id)), wake(executor) {}

  enum class Enqueued { kQueued, kQueueFull, kBackedOff };
  // Appends one packet (1..65535 bytes) to the queue; never blocks.
  Enqueued enqueue(util::ByteView packet, util::SteadyTime now, size_t max_packets,
                   size_t max_bytes);
  bool has_queued() const { return !pending.empty() || writing_offset < writing.buffer().size(); }
  // Drops everything queued; returns how many packets that was.
  size_t clear_queue();
  // Legacy: the next queued packet, copied out (one allocation per packet, as each also costs a
  // stream).
  std::optional<util::Bytes> pop_packet();

  crypto::PeerId peer;
  FastFrameEncoder pending;   // where the TUN reader appends
  FastFrameEncoder writing;   // the batch being written (fast path) or dispatched (legacy)
  size_t writing_offset = 0;  // legacy: bytes of `writing` already dispatched
  size_t writing_taken = 0;   // legacy: packets of `writing` already dispatched
  WakeSignal wake;
  bool closing = false;

  PeerMode mode = PeerMode::kUnknown;
  p2p::host::Stream stream;  // the fast-path stream
  uint64_t stream_generation = 0;
  std::optional<util::SteadyTime> backoff_until;
  size_t legacy_in_flight = 0;
};

// Drains the sender's queue until it is closing or the service stops; holds both alive.
asio::awaitable<void> run_peer_sender(std::shared_ptr<ServiceCore> core,
                                      std::shared_ptr<PeerSender> sender);

}  // namespace edgevpn::vpn
