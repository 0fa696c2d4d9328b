// Many concurrent streams through two sessions in memory: an echo server and a verifying client,
// with whole-buffer and one-byte-chunked delivery.
#include <gtest/gtest.h>

#include <map>

#include "p2p/yamux/yamux_session.hpp"
#include "yamux_test_pair.hpp"

namespace edgevpn::p2p::yamux {
namespace {

using testing::pattern;
using testing::SessionPair;

struct ClientStream {
  util::Bytes data;
  size_t sent = 0;
  bool closed = false;
  util::Bytes echoed;
  bool eof = false;
};

// Moves bytes from one session to the other, either whole or a byte at a time.
void transfer(Session& from, Session& to, util::Bytes& wire, util::SteadyTime now, bool bytewise) {
  if (!from.has_output()) return;
  from.take_output(wire);
  if (!bytewise) {
    ASSERT_TRUE(to.on_bytes(wire, now).ok());
    return;
  }
  for (size_t i = 0; i < wire.size(); ++i) {
    ASSERT_TRUE(to.on_bytes(util::ByteView(wire).subspan(i, 1), now).ok());
  }
}

// The client writes each stream's data then FIN; the server echoes what it reads (never more
// than it can send) and closes after the client's FIN; the client checks every byte.
void run_echo(size_t stream_count, size_t size, bool bytewise) {
  SessionPair pair;
  std::map<uint32_t, ClientStream> client_streams;
  for (size_t i = 0; i < stream_count; ++i) {
    auto id = pair.client.open_stream();
    ASSERT_TRUE(id.ok());
    client_streams[*id].data = pattern(size, static_cast<uint32_t>(i));
  }
  std::map<uint32_t, bool> server_streams;  // id -> closed by us
  util::Bytes buf(256 * 1024);
  size_t done = 0;
  for (int round = 0; round < 100000 && done < stream_count; ++round) {
    for (auto& [id, stream] : client_streams) {
      if (stream.closed) continue;
      auto n = pair.client.write(id, util::ByteView(stream.data).subspan(stream.sent));
      ASSERT_TRUE(n.ok());
      stream.sent += *n;
      if (stream.sent == stream.data.size()) {
        ASSERT_TRUE(pair.client.close(id).ok());
        stream.closed = true;
      }
    }
    transfer(pair.client, pair.server, pair.wire, pair.now, bytewise);
    while (auto event = pair.server.next_event()) {
      if (event->kind == Event::Kind::kStreamOpened) server_streams[event->stream_id] = false;
    }
    for (auto& [id, closed] : server_streams) {
      if (closed) continue;
      const size_t room = std::min<size_t>(buf.size(), pair.server.send_window(id).value_or(0));
      auto n = pair.server.read(id, std::span(buf).first(room));
      if (n.ok() && *n > 0) {
        ASSERT_EQ(*pair.server.write(id, util::ByteView(buf).first(*n)), *n);
      } else if (!n.ok()) {  // EOF: the client finished and we echoed everything
        ASSERT_EQ(n.error().code, util::Errc::kClosed);
        ASSERT_TRUE(pair.server.close(id).ok());
        closed = true;
      }
    }
    transfer(pair.server, pair.client, pair.wire, pair.now, bytewise);
    while (pair.client.next_event()) {
    }
    for (auto& [id, stream] : client_streams) {
      if (stream.eof) continue;
      for (;;) {
        auto n = pair.client.read(id, buf);
        if (n.ok() && *n > 0) {
          util::append(stream.echoed, util::ByteView(buf).first(*n));
          continue;
        }
        if (!n.ok() || (stream.echoed.size() == size && !pair.client.has_stream(id))) {
          stream.eof = true;
          ++done;
        }
        break;
      }
    }
    pair.now += std::chrono::microseconds(50);
  }
  ASSERT_EQ(done, stream_count);
  for (auto& [id, stream] : client_streams) {
    ASSERT_EQ(stream.echoed.size(), size) << "stream " << id;
    EXPECT_TRUE(stream.echoed == stream.data) << "stream " << id;
  }
  EXPECT_EQ(pair.client.stream_count(), 0u);
  EXPECT_EQ(pair.server.stream_count(), 0u);
  EXPECT_FALSE(pair.client.failed());
  EXPECT_FALSE(pair.server.failed());
}

TEST(YamuxEcho, SixtyFourStreamsOfOneMebibyteEchoIntact) {
  run_echo(64, 1024 * 1024, false);
}

TEST(YamuxEcho, OneByteChunkedDeliveryEchoesIntact) {
  run_echo(4, 300 * 1024, true);
}

TEST(YamuxEcho, EmptyStreamsOpenAndCloseCleanly) {
  run_echo(16, 0, false);
}

}  // namespace
}  // namespace edgevpn::p2p::yamux
