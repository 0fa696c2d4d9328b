// Protocol violations fail the session with GoAway(protocol error); tolerable oddities do not.
#include <gtest/gtest.h>

#include "p2p/yamux/yamux_session.hpp"
#include "yamux_test_pair.hpp"

namespace edgevpn::p2p::yamux {
namespace {

util::Bytes frame(FrameType type, uint16_t flags, uint32_t id, uint32_t length,
                  util::ByteView payload = {}) {
  util::Bytes out;
  append_header(out, FrameHeader{type, flags, id, length});
  util::append(out, payload);
  return out;
}

// Asserts `bytes` fail a fresh server session and that it answers GoAway(protocol error).
void expect_violation(const util::Bytes& bytes) {
  Session server(Role::kServer);
  const util::SteadyTime now{};
  auto status = server.on_bytes(bytes, now);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(server.failed());
  auto go_away = decode_header(server.pending_output().last(kHeaderSize));
  ASSERT_TRUE(go_away.ok());
  EXPECT_EQ(go_away->type, FrameType::kGoAway);
  EXPECT_EQ(go_away->length, static_cast<uint32_t>(GoAwayCode::kProtocolError));
  // Failure is sticky.
  EXPECT_FALSE(server.on_bytes(frame(FrameType::kPing, kFlagSyn, 0, 1), now).ok());
  EXPECT_FALSE(server.open_stream().ok());
}

TEST(YamuxViolation, DataBeyondTheReceiveWindow) {
  util::Bytes bytes = frame(FrameType::kWindowUpdate, kFlagSyn, 1, 0);
  util::append(bytes, frame(FrameType::kData, 0, 1, kInitialWindow + 1));
  expect_violation(bytes);
}

TEST(YamuxViolation, DataBeyondTheWindowAcrossSeveralFrames) {
  util::Bytes bytes = frame(FrameType::kWindowUpdate, kFlagSyn, 1, 0);
  const util::Bytes chunk(kInitialWindow / 2, 0xaa);
  for (int i = 0; i < 2; ++i)
    util::append(bytes, frame(FrameType::kData, 0, 1, chunk.size(), chunk));
  util::append(bytes, frame(FrameType::kData, 0, 1, 1, util::Bytes{1}));
  expect_violation(bytes);
}

TEST(YamuxViolation, FrameForUnknownStreamWithoutSyn) {
  expect_violation(frame(FrameType::kData, 0, 7, 1, util::Bytes{1}));
  expect_violation(frame(FrameType::kWindowUpdate, 0, 8, 10));  // our parity, never opened
}

TEST(YamuxViolation, BadVersion) {
  util::Bytes bytes = frame(FrameType::kPing, kFlagSyn, 0, 1);
  bytes[0] = 1;
  expect_violation(bytes);
}

TEST(YamuxViolation, UnknownFrameType) {
  util::Bytes bytes = frame(FrameType::kPing, kFlagSyn, 0, 1);
  bytes[1] = 9;
  expect_violation(bytes);
}

TEST(YamuxViolation, DuplicateSyn) {
  util::Bytes bytes = frame(FrameType::kWindowUpdate, kFlagSyn, 1, 0);
  util::append(bytes, frame(FrameType::kWindowUpdate, kFlagSyn, 1, 0));
  expect_violation(bytes);
}

TEST(YamuxViolation, SynWithOurOwnParity) {
  expect_violation(frame(FrameType::kWindowUpdate, kFlagSyn, 2, 0));
}

TEST(YamuxViolation, StreamFrameOnStreamZero) {
  expect_violation(frame(FrameType::kData, kFlagSyn, 0, 0));
}

TEST(YamuxViolation, SendWindowOverflow) {
  util::Bytes bytes = frame(FrameType::kWindowUpdate, kFlagSyn, 1, 0);
  util::append(bytes, frame(FrameType::kWindowUpdate, 0, 1, 0xffffffff));
  expect_violation(bytes);
}

TEST(YamuxViolation, ViolationInOneByteChunksIsStillCaught) {
  Session server(Role::kServer);
  util::Bytes bytes = frame(FrameType::kWindowUpdate, kFlagSyn, 1, 0);
  util::append(bytes, frame(FrameType::kData, 0, 1, kInitialWindow + 1));
  bool failed = false;
  for (uint8_t byte : bytes) {
    if (!server.on_bytes(util::ByteView(&byte, 1), util::SteadyTime{}).ok()) failed = true;
  }
  EXPECT_TRUE(failed);
}

TEST(YamuxViolation, DataForAClosedStreamIsDiscardedNotAnError) {
  Session server(Role::kServer);
  util::Bytes bytes = frame(FrameType::kWindowUpdate, kFlagSyn, 1, 0);
  util::append(bytes, frame(FrameType::kWindowUpdate, kFlagRst, 1, 0));
  util::append(bytes, frame(FrameType::kData, 0, 1, 3, util::as_bytes("abc")));
  util::append(bytes, frame(FrameType::kPing, kFlagSyn, 0, 9));
  ASSERT_TRUE(server.on_bytes(bytes, util::SteadyTime{}).ok());
  EXPECT_EQ(server.stream_count(), 0u);
  auto pong = decode_header(server.pending_output().last(kHeaderSize));
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->type, FrameType::kPing);
  EXPECT_EQ(pong->length, 9u);
}

}  // namespace
}  // namespace edgevpn::p2p::yamux
