// Flow control: send windows, window updates released by reading, and auto-tuning.
#include <gtest/gtest.h>

#include "p2p/yamux/yamux_session.hpp"
#include "yamux_test_pair.hpp"

namespace edgevpn::p2p::yamux {
namespace {

using testing::has_event;
using testing::pattern;
using testing::SessionPair;
using Kind = Event::Kind;

TEST(YamuxFlowControl, WriterBlocksAtWindowAndResumesAfterReaderConsumes) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  const util::Bytes data = pattern(1024 * 1024, 7);
  size_t sent = *pair.client.write(id, data);
  EXPECT_EQ(sent, kInitialWindow);
  EXPECT_EQ(*pair.client.write(id, util::ByteView(data).subspan(sent)), 0u);
  pair.pump();
  EXPECT_EQ(pair.server.buffered(id), kInitialWindow);
  EXPECT_EQ(*pair.client.write(id, util::ByteView(data).subspan(sent)), 0u);
  EXPECT_FALSE(has_event(SessionPair::drain(pair.client), Kind::kWritable, id));

  // Reading less than half the window grants nothing yet.
  util::Bytes got(kInitialWindow);
  ASSERT_EQ(*pair.server.read(id, std::span(got).first(kInitialWindow / 2 - 1)),
            kInitialWindow / 2 - 1);
  EXPECT_FALSE(pair.server.has_output());
  ASSERT_EQ(*pair.server.read(id, std::span(got).subspan(kInitialWindow / 2 - 1, 1)), 1u);
  ASSERT_TRUE(pair.server.has_output());  // half the window consumed: window update
  pair.pump();
  EXPECT_TRUE(has_event(SessionPair::drain(pair.client), Kind::kWritable, id));
  EXPECT_GE(*pair.client.send_window(id), kInitialWindow / 2);
  const size_t more = *pair.client.write(id, util::ByteView(data).subspan(sent));
  EXPECT_EQ(more, *pair.server.receive_window(id) - kInitialWindow / 2);
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + kInitialWindow / 2, data.begin()));
}

// A reader that drains the stream while a data frame is only half arrived must not grant the
// bytes still on their way: once they arrive the books would go negative and the next grant
// would overflow the sender's window (seen with 64 KiB frames split across socket reads).
TEST(YamuxFlowControl, ReadingInTheMiddleOfAFrameGrantsOnlyWhatArrived) {
  Config config;
  config.auto_tune = false;
  SessionPair pair(config);
  const uint32_t id = *pair.client.open_stream();
  pair.pump();
  uint64_t delivered = 0;
  uint8_t sink[64 * 1024];
  for (int round = 0; round < 64; ++round) {
    const util::Bytes data = pattern(60 * 1024, static_cast<uint32_t>(round));
    ASSERT_TRUE(pair.client.write(id, data).ok());
    util::Bytes wire;
    pair.client.take_output(wire);
    // Half of what the client sent, then the reader drains, then the rest arrives.
    const size_t half = wire.size() / 2;
    ASSERT_TRUE(pair.server.on_bytes(util::ByteView(wire).first(half), pair.now).ok());
    for (auto n = pair.server.read(id, sink); n.ok() && *n > 0; n = pair.server.read(id, sink)) {
      delivered += *n;
    }
    ASSERT_TRUE(pair.server.on_bytes(util::ByteView(wire).subspan(half), pair.now).ok());
    // Then only part of it: the rest stays buffered.
    auto n = pair.server.read(id, std::span<uint8_t>(sink, 10 * 1024));
    ASSERT_TRUE(n.ok());
    delivered += *n;
    pair.pump();  // window updates reach the client, which must accept them
    ASSERT_LE(*pair.client.send_window(id), kInitialWindow) << "round " << round;
  }
  EXPECT_GT(delivered, 0u);
}

TEST(YamuxFlowControl, NeverBuffersMoreThanTheWindow) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  const util::Bytes data = pattern(4 * 1024 * 1024, 1);
  size_t sent = 0;
  for (int round = 0; round < 10; ++round) {
    sent += *pair.client.write(id, util::ByteView(data).subspan(sent));
    pair.pump();
    EXPECT_LE(pair.server.buffered(id), *pair.server.receive_window(id));
  }
  EXPECT_EQ(sent, kInitialWindow);
}

// Reads everything the server has and lets the client refill, `rounds` times.
size_t stream_through(SessionPair& pair, uint32_t id, const util::Bytes& data, int rounds,
                      std::chrono::nanoseconds step) {
  size_t sent = 0;
  size_t received = 0;
  util::Bytes buf(64 * 1024);
  for (int round = 0; round < rounds && received < data.size(); ++round) {
    sent += *pair.client.write(id, util::ByteView(data).subspan(sent));
    pair.pump();
    pair.now += step;
    for (;;) {
      const size_t n = *pair.server.read(id, buf);
      if (n == 0) break;
      EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n),
                             data.begin() + static_cast<std::ptrdiff_t>(received)));
      received += n;
    }
    pair.pump();
  }
  return received;
}

TEST(YamuxFlowControl, WindowGrowsWhenTheReaderKeepsUp) {
  Config config;
  config.max_window = 4 * 1024 * 1024;
  SessionPair pair(config);
  const uint32_t id = *pair.client.open_stream();
  const util::Bytes data = pattern(32 * 1024 * 1024, 3);
  EXPECT_EQ(stream_through(pair, id, data, 1000, std::chrono::microseconds(100)), data.size());
  EXPECT_EQ(*pair.server.receive_window(id), 4u * 1024 * 1024);  // doubled up to the cap
  EXPECT_LE(*pair.client.send_window(id), 4u * 1024 * 1024);
}

// Reads half a window per step: one window update per step, `step` apart.
uint32_t window_after_paced_reads(std::chrono::nanoseconds step) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  const util::Bytes data = pattern(4 * 1024 * 1024, 4);
  size_t sent = *pair.client.write(id, data);
  size_t received = 0;
  pair.pump();
  util::Bytes buf(kInitialWindow / 2);
  for (int round = 0; round < 16; ++round) {
    pair.now += step;
    EXPECT_TRUE(pair.server.on_bytes({}, pair.now).ok());  // time passes for the session
    const size_t n = *pair.server.read(id, buf);
    EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n),
                           data.begin() + static_cast<std::ptrdiff_t>(received)));
    received += n;
    pair.pump();
    sent += *pair.client.write(id, util::ByteView(data).subspan(sent));
    pair.pump();
  }
  EXPECT_EQ(received, 16 * kInitialWindow / 2);
  return *pair.server.receive_window(id);
}

TEST(YamuxFlowControl, WindowStaysWhenUpdatesAreSlowerThanFourRtts) {
  EXPECT_EQ(window_after_paced_reads(std::chrono::seconds(1)), kInitialWindow);
}

TEST(YamuxFlowControl, WindowDoublesWhenUpdatesComeWithinFourRtts) {
  EXPECT_GT(window_after_paced_reads(std::chrono::milliseconds(1)), kInitialWindow);
}

TEST(YamuxFlowControl, MeasuredRttDrivesAutoTuning) {
  SessionPair pair;
  pair.client.ping(pair.now);
  pair.client.take_output(pair.wire);
  ASSERT_TRUE(pair.server.on_bytes(pair.wire, pair.now).ok());
  pair.server.take_output(pair.wire);
  ASSERT_TRUE(pair.client.on_bytes(pair.wire, pair.now + std::chrono::seconds(1)).ok());
  ASSERT_EQ(pair.client.rtt(), std::chrono::seconds(1));
  pair.now += std::chrono::seconds(1);
  // The client reads; with a 1 s RTT, grants 100 ms apart mean the window is too small.
  const uint32_t id = *pair.server.open_stream();
  pair.pump();
  size_t sent = 0;
  util::Bytes buf(kInitialWindow);
  const util::Bytes data = pattern(4 * 1024 * 1024, 5);
  for (int round = 0; round < 8; ++round) {
    sent += *pair.server.write(id, util::ByteView(data).subspan(sent));
    pair.pump();
    pair.now += std::chrono::milliseconds(100);
    while (*pair.client.read(id, buf) > 0) {
    }
    pair.pump();
  }
  EXPECT_GT(*pair.client.receive_window(id), kInitialWindow);
}

TEST(YamuxFlowControl, TotalWindowCapStopsGrowth) {
  Config config;
  config.max_total_window = kInitialWindow;  // no room to grow at all
  SessionPair pair(config);
  const uint32_t id = *pair.client.open_stream();
  const util::Bytes data = pattern(4 * 1024 * 1024, 6);
  EXPECT_EQ(stream_through(pair, id, data, 1000, std::chrono::microseconds(1)), data.size());
  EXPECT_EQ(*pair.server.receive_window(id), kInitialWindow);
}

TEST(YamuxFlowControl, DataFramesRespectMaxFramePayload) {
  Config config;
  config.max_frame_payload = 16 * 1024;
  SessionPair pair(config);
  const uint32_t id = *pair.client.open_stream();
  pair.client.take_output(pair.wire);
  const util::Bytes data = pattern(100 * 1024, 8);
  ASSERT_EQ(*pair.client.write(id, data), data.size());
  util::ByteView out = pair.client.pending_output();
  size_t frames = 0;
  size_t payload = 0;
  while (!out.empty()) {
    auto header = decode_header(out);
    ASSERT_TRUE(header.ok());
    EXPECT_LE(header->length, 16u * 1024);
    payload += header->length;
    out = out.subspan(kHeaderSize + header->length);
    ++frames;
  }
  EXPECT_EQ(frames, 7u);
  EXPECT_EQ(payload, data.size());
}

}  // namespace
}  // namespace edgevpn::p2p::yamux
