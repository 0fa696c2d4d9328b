// Fuzzes a yamux session with arbitrary wire bytes in arbitrary chunks while the host side reads,
// writes, closes and resets streams: it must never crash, and must keep every stream's buffer
// within its receive window.
#include <chrono>
#include <cstdlib>
#include <vector>

#include "p2p/yamux/yamux_frame.hpp"
#include "p2p/yamux/yamux_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn;
  using namespace edgevpn::p2p::yamux;
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  const size_t chunk = (data[1] % 64) + 1;
  data += 2;
  size -= 2;

  // The header codec round-trips whatever it accepts.
  if (auto header = decode_header(util::ByteView(data, size)); header.ok()) {
    uint8_t again[kHeaderSize];
    encode_header(*header, again);
    auto reparsed = decode_header(util::ByteView(again, kHeaderSize));
    if (!reparsed.ok() || !(*reparsed == *header)) std::abort();
  }

  Config config;
  config.max_inbound_streams = 16;
  config.max_outbound_streams = 4;
  config.max_window = 1024 * 1024;
  Session session((mode & 1) != 0 ? Role::kServer : Role::kClient, config);
  if ((mode & 2) != 0) (void)session.open_stream();

  util::SteadyTime now{};
  std::vector<uint32_t> streams;
  util::Bytes buf(4096);
  util::Bytes out;
  const uint8_t reply[] = {'o', 'k'};
  size_t step = 0;
  for (size_t pos = 0; pos < size; pos += chunk, ++step) {
    now += std::chrono::milliseconds(1);
    const size_t n = std::min(chunk, size - pos);
    if (!session.on_bytes(util::ByteView(data + pos, n), now).ok()) {
      if (!session.failed()) std::abort();
    }
    while (auto event = session.next_event()) {
      if (event->kind == Event::Kind::kStreamOpened && streams.size() < 64) {
        streams.push_back(event->stream_id);
      }
    }
    for (uint32_t id : streams) {
      if (!session.has_stream(id)) continue;
      if (session.buffered(id) > *session.receive_window(id)) std::abort();
      // Read only on some steps so that windows fill up too.
      if (((mode >> 2) + step + id) % 3 != 0) {
        for (;;) {
          auto read = session.read(id, buf);
          if (!read.ok() || *read == 0) break;
        }
      }
      if ((mode & 0x10) != 0) (void)session.write(id, util::ByteView(reply, sizeof reply));
      if ((mode & 0x20) != 0 && step % 7 == 3) (void)session.close(id);
      if ((mode & 0x40) != 0 && step % 11 == 5) (void)session.reset(id);
    }
    if ((mode & 0x80) != 0 && step % 13 == 0) session.ping(now);
    if (session.stream_count() > config.max_inbound_streams + config.max_outbound_streams) {
      std::abort();
    }
    (void)session.tick(now);
    session.take_output(out);
  }
  return 0;
}
