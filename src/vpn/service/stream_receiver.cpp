// Inbound VPN streams: access check, then read chunks and deliver every whole packet, straight
// from the read buffer when it holds the packet whole. Malformed input resets the stream only.
#include "vpn/service/stream_receiver.hpp"

#include <list>
#include <type_traits>

#include "util/bytes.hpp"
#include "vpn/packet/fast_framing.hpp"
#include "vpn/packet/packet_splitter.hpp"
#include "vpn/service/service_core.hpp"

namespace edgevpn::vpn {
namespace {

// Fast-path streams carry big batches; legacy streams one packet each (Go reads 32 KiB).
constexpr size_t kFastPathReadChunk = size_t{256} * 1024;
constexpr size_t kLegacyReadChunk = size_t{32} * 1024;

bool admit(ServiceCore* core, p2p::host::Stream& stream) {
  if (core == nullptr || core->stopped) {
    stream.reset();
    return false;
  }
  if (!core->routes.allows_peer(stream.remote_peer())) {
    ++core->stats.rejected_streams;
    core->log->debug("vpn stream from {} refused: not in the machines table",
                     stream.remote_peer().to_base58());
    stream.reset();
    return false;
  }
  return true;
}

// Runs `decoder` (FastFrameDecoder or PacketSplitter) over the stream until it ends.
template <class Decoder>
asio::awaitable<void> pump(std::shared_ptr<ServiceCore> core, p2p::host::Stream stream,
                           Decoder& decoder, size_t chunk_size) {
  ServiceCore& c = *core;
  const auto entry = c.inbound.insert(c.inbound.end(), stream);
  util::Bytes buffer(chunk_size);
  const auto sink = [&c](util::ByteView packet) { c.deliver(packet); };
  bool clean_end = false;
  for (;;) {
    auto n = co_await stream.read_some(buffer);
    if (c.stopped) break;
    if (!n.ok()) break;  // reset or connection lost
    if (*n == 0) {
      clean_end = true;
      break;
    }
    // Routes change while streams stay open: a peer removed from the table is cut off.
    if (!c.routes.allows_peer(stream.remote_peer())) {
      ++c.stats.rejected_streams;
      stream.reset();
      break;
    }
    if (auto status = decoder.feed(util::ByteView(buffer.data(), *n), sink); !status.ok()) {
      ++c.stats.malformed;
      c.log->debug("malformed vpn stream from {}: {}", stream.remote_peer().to_base58(),
                   status.error().describe());
      stream.reset();
      break;
    }
    // A full TUN pushes back on the peer through the stream's window instead of dropping.
    if (c.port.congested()) co_await c.port.wait_for_room();
  }
  if (clean_end) {
    if constexpr (std::is_same_v<Decoder, PacketSplitter>) {
      if (!decoder.finish().ok()) ++c.stats.malformed;  // a truncated last packet
    } else {
      if (decoder.buffered() > 0) ++c.stats.malformed;
    }
    (void)stream.close();
  }
  c.inbound.erase(entry);
}

}  // namespace

asio::awaitable<void> serve_fastpath_stream(std::shared_ptr<ServiceCore> core,
                                            p2p::host::Stream stream) {
  if (!admit(core.get(), stream)) co_return;
  ++core->stats.fastpath_streams_in;
  FastFrameDecoder decoder(core->config.max_packet_size);
  co_await pump(core, stream, decoder, kFastPathReadChunk);
}

asio::awaitable<void> serve_legacy_stream(std::shared_ptr<ServiceCore> core,
                                          p2p::host::Stream stream) {
  if (!admit(core.get(), stream)) co_return;
  ++core->stats.legacy_streams_in;
  PacketSplitter splitter(core->config.max_packet_size);
  co_await pump(core, stream, splitter, kLegacyReadChunk);
}

}  // namespace edgevpn::vpn
