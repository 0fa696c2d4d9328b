// Stream lifecycle, ping, GoAway and limits of yamux sessions wired in memory.
#include "p2p/yamux/yamux_session.hpp"

#include <gtest/gtest.h>

#include "yamux_test_pair.hpp"

namespace edgevpn::p2p::yamux {
namespace {

using testing::has_event;
using testing::SessionPair;
using Kind = Event::Kind;

std::string read_all(Session& session, uint32_t id) {
  std::string text;
  uint8_t buf[1000];
  for (;;) {
    auto n = session.read(id, buf);
    if (!n.ok() || *n == 0) break;
    text.append(reinterpret_cast<char*>(buf), *n);
  }
  return text;
}

TEST(YamuxSession, ClientOpensOddAndServerEvenStreamIds) {
  SessionPair pair;
  EXPECT_EQ(*pair.client.open_stream(), 1u);
  EXPECT_EQ(*pair.client.open_stream(), 3u);
  EXPECT_EQ(*pair.server.open_stream(), 2u);
  EXPECT_EQ(*pair.server.open_stream(), 4u);
  pair.pump();
  auto at_server = SessionPair::drain(pair.server);
  auto at_client = SessionPair::drain(pair.client);
  EXPECT_TRUE(has_event(at_server, Kind::kStreamOpened, 1));
  EXPECT_TRUE(has_event(at_server, Kind::kStreamOpened, 3));
  EXPECT_TRUE(has_event(at_client, Kind::kStreamOpened, 2));
  EXPECT_TRUE(has_event(at_client, Kind::kStreamOpened, 4));
  EXPECT_EQ(pair.client.stream_count(), 4u);
  EXPECT_EQ(pair.server.inbound_stream_count(), 2u);
}

TEST(YamuxSession, OpenSendsSynWindowUpdateAndAcceptAnswersAck) {
  SessionPair pair;
  auto id = pair.client.open_stream();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(pair.client.pending_output().size(), kHeaderSize);
  auto syn = decode_header(pair.client.pending_output());
  ASSERT_TRUE(syn.ok());
  EXPECT_EQ(syn->type, FrameType::kWindowUpdate);
  EXPECT_EQ(syn->flags, kFlagSyn);
  EXPECT_EQ(syn->stream_id, 1u);
  EXPECT_EQ(syn->length, 0u);
  pair.client.take_output(pair.wire);
  ASSERT_TRUE(pair.server.on_bytes(pair.wire, pair.now).ok());
  auto ack = decode_header(pair.server.pending_output());
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->flags, kFlagAck);
  EXPECT_EQ(ack->stream_id, 1u);
}

TEST(YamuxSession, LargerInitialWindowIsGrantedWithTheSyn) {
  Config config;
  config.initial_window = 1024 * 1024;
  SessionPair pair(config);
  ASSERT_TRUE(pair.client.open_stream().ok());
  auto syn = decode_header(pair.client.pending_output());
  ASSERT_TRUE(syn.ok());
  EXPECT_EQ(syn->length, 1024u * 1024 - kInitialWindow);
  pair.pump();
  EXPECT_EQ(*pair.server.send_window(1), 1024u * 1024);
  EXPECT_EQ(*pair.client.send_window(1), 1024u * 1024);
}

TEST(YamuxSession, DataFlowsBothWays) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  ASSERT_EQ(*pair.client.write(id, util::as_bytes("hello")), 5u);
  pair.pump();
  auto events = SessionPair::drain(pair.server);
  EXPECT_TRUE(has_event(events, Kind::kReadable, id));
  EXPECT_EQ(read_all(pair.server, id), "hello");
  ASSERT_EQ(*pair.server.write(id, util::as_bytes("world")), 5u);
  pair.pump();
  EXPECT_TRUE(has_event(SessionPair::drain(pair.client), Kind::kReadable, id));
  EXPECT_EQ(read_all(pair.client, id), "world");
}

TEST(YamuxSession, ZeroCopyPeekAndConsume) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  ASSERT_TRUE(pair.client.write(id, util::as_bytes("abcdef")).ok());
  pair.pump();
  EXPECT_EQ(util::to_string(pair.server.peek(id)), "abcdef");
  ASSERT_TRUE(pair.server.consume(id, 4).ok());
  EXPECT_EQ(util::to_string(pair.server.peek(id)), "ef");
  EXPECT_FALSE(pair.server.consume(id, 3).ok());
}

TEST(YamuxSession, TakeMovesReceivedChunksOutInOrderAndThenReportsTheEnd) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  util::Bytes sent(300 * 1024);
  for (size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<uint8_t>(i * 13 + i / 251);
  ASSERT_EQ(*pair.client.write(id, sent), kInitialWindow);  // the initial window bounds it
  ASSERT_TRUE(pair.client.close(id).ok());
  pair.pump();
  util::Bytes received;
  for (int guard = 0; guard < 100; ++guard) {
    auto chunk = pair.server.take(id);
    if (!chunk.ok()) {
      EXPECT_EQ(chunk.error().code, util::Errc::kClosed);  // FIN came with everything read
      break;
    }
    ASSERT_FALSE(chunk->empty());
    EXPECT_LE(chunk->size(), ReceiveBuffer::kChunkSize);
    util::append(received, *chunk);
  }
  EXPECT_EQ(received, util::Bytes(sent.begin(), sent.begin() + kInitialWindow));
}

TEST(YamuxSession, TakeGrantsWindowLikeRead) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  const util::Bytes block(kInitialWindow, 0x5a);
  ASSERT_EQ(*pair.client.write(id, block), kInitialWindow);
  pair.pump();
  EXPECT_EQ(*pair.client.send_window(id), 0u);
  while (pair.server.buffered(id) > 0) ASSERT_TRUE(pair.server.take(id).ok());
  pair.pump();
  EXPECT_GE(*pair.client.send_window(id), kInitialWindow);
  auto nothing = pair.server.take(id);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST(YamuxSession, FinHalfClosesAndTheOtherDirectionKeepsWorking) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  ASSERT_TRUE(pair.client.write(id, util::as_bytes("request")).ok());
  ASSERT_TRUE(pair.client.close(id).ok());
  EXPECT_FALSE(pair.client.write(id, util::as_bytes("more")).ok());
  pair.pump();
  auto events = SessionPair::drain(pair.server);
  EXPECT_TRUE(has_event(events, Kind::kRemoteClosed, id));
  EXPECT_EQ(read_all(pair.server, id), "request");
  uint8_t buf[4];
  auto eof = pair.server.read(id, buf);
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.error().code, util::Errc::kClosed);

  ASSERT_EQ(*pair.server.write(id, util::as_bytes("response")), 8u);
  ASSERT_TRUE(pair.server.close(id).ok());
  EXPECT_EQ(pair.server.stream_count(), 0u);  // both sides closed, all read
  pair.pump();
  EXPECT_TRUE(has_event(SessionPair::drain(pair.client), Kind::kRemoteClosed, id));
  EXPECT_EQ(pair.client.stream_count(), 1u);  // "response" not read yet
  EXPECT_EQ(read_all(pair.client, id), "response");
  EXPECT_EQ(pair.client.stream_count(), 0u);
}

TEST(YamuxSession, DataSentWithFinIsReadableBeforeEof) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  pair.pump();
  util::Bytes frame;
  append_header(frame, FrameHeader{FrameType::kData, kFlagFin, id, 3});
  util::append(frame, util::as_bytes("abc"));
  // Deliver the header alone first: FIN must wait for the payload.
  ASSERT_TRUE(pair.server.on_bytes(util::ByteView(frame).first(kHeaderSize), pair.now).ok());
  EXPECT_FALSE(has_event(SessionPair::drain(pair.server), Kind::kRemoteClosed, id));
  ASSERT_TRUE(pair.server.on_bytes(util::ByteView(frame).subspan(kHeaderSize), pair.now).ok());
  EXPECT_TRUE(has_event(SessionPair::drain(pair.server), Kind::kRemoteClosed, id));
  EXPECT_EQ(read_all(pair.server, id), "abc");
}

TEST(YamuxSession, ResetRemovesStreamOnBothSides) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  ASSERT_TRUE(pair.client.write(id, util::as_bytes("x")).ok());
  pair.pump();
  SessionPair::drain(pair.server);
  ASSERT_TRUE(pair.server.reset(id).ok());
  EXPECT_FALSE(pair.server.has_stream(id));
  pair.pump();
  EXPECT_TRUE(has_event(SessionPair::drain(pair.client), Kind::kStreamReset, id));
  EXPECT_FALSE(pair.client.has_stream(id));
  auto write = pair.client.write(id, util::as_bytes("y"));
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().code, util::Errc::kNotFound);
}

TEST(YamuxSession, LateFramesForAResetStreamAreIgnored) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  pair.pump();
  ASSERT_TRUE(pair.server.reset(id).ok());
  // The client writes before it sees the RST; the server drops that data quietly.
  ASSERT_TRUE(pair.client.write(id, util::as_bytes("late")).ok());
  ASSERT_TRUE(pair.client.close(id).ok());
  pair.pump();
  EXPECT_FALSE(pair.server.failed());
  EXPECT_FALSE(pair.client.failed());
  EXPECT_EQ(pair.server.stream_count(), 0u);
  EXPECT_EQ(pair.client.stream_count(), 0u);
}

TEST(YamuxSession, GoAwayStopsNewStreamsButKeepsExistingOnes) {
  SessionPair pair;
  const uint32_t id = *pair.client.open_stream();
  pair.pump();
  pair.server.go_away();
  pair.pump();
  auto events = SessionPair::drain(pair.client);
  ASSERT_TRUE(has_event(events, Kind::kGoAway));
  EXPECT_EQ(pair.client.remote_go_away(), 0u);
  EXPECT_FALSE(pair.client.closed());
  auto refused = pair.client.open_stream();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, util::Errc::kClosed);
  EXPECT_FALSE(pair.server.open_stream().ok());
  ASSERT_EQ(*pair.client.write(id, util::as_bytes("still")), 5u);
  pair.pump();
  EXPECT_EQ(read_all(pair.server, id), "still");
}

TEST(YamuxSession, SynAfterLocalGoAwayIsReset) {
  SessionPair pair;
  pair.server.go_away();
  pair.server.take_output(pair.wire);  // the client never learns of it
  const uint32_t id = *pair.client.open_stream();
  pair.pump();
  EXPECT_TRUE(has_event(SessionPair::drain(pair.client), Kind::kStreamReset, id));
  EXPECT_EQ(pair.server.stream_count(), 0u);
}

TEST(YamuxSession, ErrorGoAwayClosesTheSession) {
  SessionPair pair;
  pair.server.go_away(GoAwayCode::kInternalError);
  pair.pump();
  auto events = SessionPair::drain(pair.client);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kGoAway);
  EXPECT_EQ(events[0].code, 2u);
  EXPECT_TRUE(pair.client.closed());
}

TEST(YamuxSession, InboundStreamsBeyondTheLimitAreReset) {
  Config server_config;
  server_config.max_inbound_streams = 2;
  SessionPair pair(Config{}, server_config);
  const uint32_t a = *pair.client.open_stream();
  const uint32_t b = *pair.client.open_stream();
  const uint32_t c = *pair.client.open_stream();
  pair.pump();
  auto events = SessionPair::drain(pair.client);
  EXPECT_FALSE(has_event(events, Kind::kStreamReset, a));
  EXPECT_FALSE(has_event(events, Kind::kStreamReset, b));
  EXPECT_TRUE(has_event(events, Kind::kStreamReset, c));
  EXPECT_EQ(pair.server.inbound_stream_count(), 2u);
  EXPECT_FALSE(pair.server.failed());
  // Closing one frees a slot.
  ASSERT_TRUE(pair.server.reset(a).ok());
  const uint32_t d = *pair.client.open_stream();
  pair.pump();
  EXPECT_TRUE(has_event(SessionPair::drain(pair.server), Kind::kStreamOpened, d));
}

TEST(YamuxSession, OutboundStreamLimitFailsOpen) {
  Config config;
  config.max_outbound_streams = 1;
  SessionPair pair(config);
  ASSERT_TRUE(pair.client.open_stream().ok());
  auto second = pair.client.open_stream();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, util::Errc::kTooLarge);
}

TEST(YamuxSession, AckBacklogLimitsUnacknowledgedOpens) {
  Config config;
  config.max_ack_backlog = 3;
  SessionPair pair(config);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pair.client.open_stream().ok());
  EXPECT_EQ(pair.client.ack_backlog(), 3u);
  auto blocked = pair.client.open_stream();
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, util::Errc::kTooLarge);
  pair.pump();  // the server ACKs all three
  EXPECT_EQ(pair.client.ack_backlog(), 0u);
  EXPECT_TRUE(pair.client.open_stream().ok());
}

TEST(YamuxSession, PingMeasuresRoundTripTime) {
  SessionPair pair;
  const uint32_t opaque = pair.client.ping(pair.now);
  EXPECT_EQ(pair.client.ping(pair.now), opaque);  // joins the ping in flight
  auto request = decode_header(pair.client.pending_output());
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->type, FrameType::kPing);
  EXPECT_EQ(request->flags, kFlagSyn);
  EXPECT_EQ(request->length, opaque);
  pair.client.take_output(pair.wire);
  ASSERT_TRUE(pair.server.on_bytes(pair.wire, pair.now).ok());
  auto response = decode_header(pair.server.pending_output());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->flags, kFlagAck);
  EXPECT_EQ(response->length, opaque);
  pair.server.take_output(pair.wire);
  ASSERT_TRUE(pair.client.on_bytes(pair.wire, pair.now + std::chrono::milliseconds(5)).ok());
  auto events = SessionPair::drain(pair.client);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kPingRtt);
  EXPECT_EQ(events[0].code, opaque);
  EXPECT_EQ(events[0].rtt, std::chrono::milliseconds(5));
  EXPECT_EQ(pair.client.rtt(), std::chrono::milliseconds(5));
}

TEST(YamuxSession, UnmatchedPingAnswerIsIgnored) {
  SessionPair pair;
  util::Bytes frame;
  append_header(frame, FrameHeader{FrameType::kPing, kFlagAck, 0, 77});
  ASSERT_TRUE(pair.client.on_bytes(frame, pair.now).ok());
  EXPECT_FALSE(pair.client.next_event().has_value());
}

TEST(YamuxSession, KeepaliveOffByDefault) {
  SessionPair pair;
  EXPECT_FALSE(pair.client.next_deadline().has_value());
  ASSERT_TRUE(pair.client.tick(pair.now + std::chrono::hours(1)).ok());
  EXPECT_FALSE(pair.client.has_output());
}

TEST(YamuxSession, KeepalivePingsAndTimesOut) {
  Config config;
  config.keepalive_interval = std::chrono::seconds(10);
  config.ping_timeout = std::chrono::seconds(5);
  SessionPair pair(config);
  ASSERT_TRUE(pair.client.tick(pair.now).ok());
  EXPECT_FALSE(pair.client.has_output());
  EXPECT_EQ(*pair.client.next_deadline(), pair.now + std::chrono::seconds(10));
  pair.now += std::chrono::seconds(10);
  ASSERT_TRUE(pair.client.tick(pair.now).ok());
  ASSERT_TRUE(pair.client.has_output());
  pair.pump();  // answered
  EXPECT_TRUE(has_event(SessionPair::drain(pair.client), Kind::kPingRtt));
  pair.now += std::chrono::seconds(10);
  ASSERT_TRUE(pair.client.tick(pair.now).ok());
  pair.client.take_output(pair.wire);  // lost
  pair.now += std::chrono::seconds(5);
  auto timed_out = pair.client.tick(pair.now);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().code, util::Errc::kTimeout);
}

TEST(YamuxSession, ManyFramesBatchIntoOneOutputBuffer) {
  SessionPair pair;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pair.client.open_stream().ok());
  EXPECT_EQ(pair.client.pending_output().size(), 10 * kHeaderSize);
  pair.client.consume_output(kHeaderSize * 3);
  EXPECT_EQ(pair.client.pending_output().size(), 7 * kHeaderSize);
  pair.client.take_output(pair.wire);
  EXPECT_EQ(pair.wire.size(), 7 * kHeaderSize);
  EXPECT_FALSE(pair.client.has_output());
}

}  // namespace
}  // namespace edgevpn::p2p::yamux
