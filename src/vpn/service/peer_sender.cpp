// PeerSender: the per-peer queue and its drain loop. Fast path: one long-lived stream, each
// wake-up writes everything queued as one framed batch, in order. Legacy (/edgevpn/0.1, Go
// EdgeVPN): open a stream, write one packet, close, with a bounded number in flight.
#include "vpn/service/peer_sender.hpp"

#include <string>
#include <utility>
#include <vector>

#include "vpn/service/service_core.hpp"
#include "vpn/service/stream_receiver.hpp"

namespace edgevpn::vpn {
namespace {

std::vector<std::string> offered_protocols(const VpnConfig& config) {
  if (config.enable_fastpath) {
    return {std::string(kFastPathProtocolId), std::string(kLegacyProtocolId)};
  }
  return {std::string(kLegacyProtocolId)};
}

// Forgets the fast-path stream; the next packet opens a new one (and renegotiates).
void drop_stream(PeerSender& sender) {
  if (sender.stream.valid()) sender.stream.reset();
  sender.stream = {};
  ++sender.stream_generation;
  sender.mode = PeerMode::kUnknown;
}

// Opening failed: drop what is queued and refuse packets for a while, so a dead peer costs
// one dial per backoff period instead of one per packet.
void back_off(ServiceCore& core, PeerSender& sender, const util::Error& error) {
  core.stats.dropped_stream_error += sender.clear_queue();
  sender.backoff_until = std::chrono::steady_clock::now() + core.config.reopen_backoff;
  sender.mode = PeerMode::kUnknown;
  core.log->debug("vpn stream to {} failed: {}", sender.peer.to_base58(), error.describe());
}

// The fast-path receiver never writes back: reading tells us when the stream dies, so the next
// batch goes on a fresh stream instead of being lost on a dead one.
asio::awaitable<void> watch_stream(std::shared_ptr<ServiceCore> core,
                                   std::shared_ptr<PeerSender> sender, p2p::host::Stream stream,
                                   uint64_t generation) {
  uint8_t scratch[512];
  for (;;) {
    auto n = co_await stream.read_some(scratch);
    if (!n.ok() || *n == 0) break;
  }
  if (!core->stopped && sender->stream_generation == generation) {
    drop_stream(*sender);
    sender->wake.notify();
  }
}

// One /edgevpn/0.1 packet: a stream of its own (`stream` when the probe already opened one).
asio::awaitable<void> send_legacy_packet(std::shared_ptr<ServiceCore> core,
                                         std::shared_ptr<PeerSender> sender, util::Bytes packet,
                                         p2p::host::Stream stream) {
  ServiceCore& c = *core;
  PeerSender& s = *sender;
  if (!stream.valid()) {
    std::vector<std::string> protocols{std::string(kLegacyProtocolId)};
    auto opened = co_await c.host.new_stream(s.peer, std::move(protocols));
    if (!opened.ok()) {
      ++c.stats.dropped_stream_error;
      if (s.mode == PeerMode::kLegacy && !c.stopped) back_off(c, s, opened.error());
    } else {
      ++c.stats.streams_opened;
      stream = *opened;
    }
  }
  if (stream.valid()) {
    auto written = co_await stream.write_all(packet);
    if (written.ok()) written = stream.close();
    if (written.ok()) {
      ++c.stats.packets_sent;
      c.stats.bytes_sent += packet.size();
    } else {
      ++c.stats.dropped_stream_error;
      stream.reset();
    }
  }
  --s.legacy_in_flight;
  s.wake.notify();
}

void dispatch_legacy(ServiceCore& core, const std::shared_ptr<PeerSender>& sender,
                     p2p::host::Stream stream) {
  auto packet = sender->pop_packet();
  if (!packet) return;
  ++sender->legacy_in_flight;
  core.tasks.spawn(
      send_legacy_packet(core.weak_self.lock(), sender, std::move(*packet), std::move(stream)),
      "legacy send");
}

// Negotiates the peer's protocol on a new stream: fast path kept open, legacy used for the
// first queued packet.
asio::awaitable<void> open_stream(std::shared_ptr<ServiceCore> core,
                                  std::shared_ptr<PeerSender> sender) {
  ServiceCore& c = *core;
  PeerSender& s = *sender;
  auto opened = co_await c.host.new_stream(s.peer, offered_protocols(c.config));
  if (c.stopped || s.closing) {
    if (opened.ok()) opened->reset();
    co_return;
  }
  if (!opened.ok()) {
    back_off(c, s, opened.error());
    co_return;
  }
  ++c.stats.streams_opened;
  if (opened->protocol() == kFastPathProtocolId) {
    s.mode = PeerMode::kFastPath;
    s.stream = *opened;
    ++s.stream_generation;
    c.tasks.spawn(watch_stream(core, sender, s.stream, s.stream_generation), "stream watch");
    co_return;
  }
  s.mode = PeerMode::kLegacy;
  c.log->debug("peer {} speaks {} only", s.peer.to_base58(), kLegacyProtocolId);
  dispatch_legacy(c, sender, *opened);
}

}  // namespace

PeerSender::Enqueued PeerSender::enqueue(util::ByteView packet, util::SteadyTime now,
                                         size_t max_packets, size_t max_bytes) {
  if (backoff_until) {
    if (now < *backoff_until) return Enqueued::kBackedOff;
    backoff_until.reset();
  }
  if (pending.packet_count() >= max_packets ||
      pending.buffer().size() + kFastFrameHeader + packet.size() > max_bytes) {
    return Enqueued::kQueueFull;
  }
  (void)pending.append(packet);  // 1..65535 bytes: checked by the caller
  return Enqueued::kQueued;
}

size_t PeerSender::clear_queue() {
  const size_t dropped = pending.packet_count() + (writing.packet_count() - writing_taken);
  pending.clear();
  writing.clear();
  writing_offset = 0;
  writing_taken = 0;
  return dropped;
}

std::optional<util::Bytes> PeerSender::pop_packet() {
  if (writing_offset >= writing.buffer().size()) {
    writing.clear();
    writing_offset = 0;
    writing_taken = 0;
    if (pending.empty()) return std::nullopt;
    std::swap(pending, writing);
  }
  const util::ByteView frames = writing.buffer();
  const size_t length = util::get_u16_be(frames.data() + writing_offset);
  const auto begin =
      frames.begin() + static_cast<std::ptrdiff_t>(writing_offset + kFastFrameHeader);
  util::Bytes packet(begin, begin + static_cast<std::ptrdiff_t>(length));
  writing_offset += kFastFrameHeader + length;
  ++writing_taken;
  return packet;
}

asio::awaitable<void> run_peer_sender(std::shared_ptr<ServiceCore> core,
                                      std::shared_ptr<PeerSender> sender) {
  ServiceCore& c = *core;
  PeerSender& s = *sender;
  while (!c.stopped && !s.closing) {
    if (s.mode == PeerMode::kLegacy) {
      if (!s.has_queued() || s.legacy_in_flight >= c.config.legacy_streams_in_flight) {
        co_await s.wake.wait();
      } else {
        dispatch_legacy(c, sender, {});
      }
      continue;
    }
    if (!s.has_queued()) {
      co_await s.wake.wait();
      continue;
    }
    if (!s.stream.valid()) {
      // Legacy dispatches from an earlier mode may still be running; they count themselves.
      co_await open_stream(core, sender);
      continue;
    }
    // Fast path: everything queued goes out in one write; the reader refills `pending` while
    // the write waits for the window.
    std::swap(s.pending, s.writing);
    const size_t packets = s.writing.packet_count();
    const size_t bytes = s.writing.buffer().size() - packets * kFastFrameHeader;
    p2p::host::Stream stream = s.stream;
    const uint64_t generation = s.stream_generation;
    auto written = co_await stream.write_all(s.writing.buffer());
    s.writing.clear();
    if (written.ok()) {
      ++c.stats.fastpath_writes;
      c.stats.packets_sent += packets;
      c.stats.bytes_sent += bytes;
    } else {
      c.stats.dropped_stream_error += packets;
      if (!c.stopped) {
        c.log->debug("fast path to {} failed: {}", s.peer.to_base58(), written.error().describe());
      }
      if (s.stream_generation == generation) drop_stream(s);
    }
  }
  if (s.stream.valid()) {
    if (c.stopped) {
      s.stream.reset();
    } else {
      (void)s.stream.close();
    }
    s.stream = {};
  }
}

}  // namespace edgevpn::vpn
