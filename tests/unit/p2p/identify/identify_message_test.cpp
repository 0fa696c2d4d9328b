// Tests for the identify message codec: round trips, known wire bytes, merging and limits.
#include "p2p/identify/identify_message.hpp"

#include <gtest/gtest.h>

#include "util/varint.hpp"

namespace edgevpn::p2p::identify {
namespace {

IdentifyInfo sample() {
  IdentifyInfo info;
  info.protocol_version = std::string(kProtocolVersion);
  info.agent_version = "edgevpn/0.1.0";
  info.public_key = util::Bytes{0x08, 0x01, 0x12, 0x20, 1, 2, 3};
  info.listen_addrs = {util::Bytes{0x04, 127, 0, 0, 1, 0x06, 0x10, 0x01}};
  info.observed_addr = util::Bytes{0x04, 127, 0, 0, 1, 0x06, 0x20, 0x02};
  info.protocols = {"/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"};
  return info;
}

TEST(IdentifyMessage, RoundTripsEveryField) {
  IdentifyInfo info = sample();
  info.signed_peer_record = util::Bytes{9, 9};
  auto decoded = decode(encode(info));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, info);
}

TEST(IdentifyMessage, EncodesFieldNumbersOfTheSpec) {
  IdentifyInfo info;
  info.agent_version = "a";
  info.protocols = {"p"};
  // protocols = field 3 (tag 0x1a), agentVersion = field 6 (tag 0x32), in field-number order.
  EXPECT_EQ(encode(info), (util::Bytes{0x1a, 0x01, 'p', 0x32, 0x01, 'a'}));
}

TEST(IdentifyMessage, FramedMessageStartsWithItsLength) {
  util::Bytes body = encode(sample());
  util::Bytes framed = encode_framed(sample());
  auto length = util::read_uvarint(framed);
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(length->value, body.size());
  EXPECT_EQ(util::Bytes(framed.begin() + length->length, framed.end()), body);
}

TEST(IdentifyMessage, DecodeStreamMergesSeveralMessages) {
  IdentifyInfo first;
  first.agent_version = "one";
  first.protocols = {"/a"};
  IdentifyInfo second;
  second.agent_version = "two";
  second.protocols = {"/b"};
  util::Bytes stream = encode_framed(first);
  util::append(stream, encode_framed(second));
  auto merged = decode_stream(stream);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->agent_version, "two");
  EXPECT_EQ(merged->protocols, (std::vector<std::string>{"/a", "/b"}));
}

TEST(IdentifyMessage, DecodeStreamRejectsTruncatedMessage) {
  util::Bytes stream = encode_framed(sample());
  stream.pop_back();
  EXPECT_EQ(decode_stream(stream).error().code, util::Errc::kTruncated);
  EXPECT_EQ(decode_stream({}).error().code, util::Errc::kTruncated);
}

TEST(IdentifyMessage, RejectsOversizedMessage) {
  util::Bytes stream;
  util::put_uvarint(stream, kMaxMessageSize + 1);
  stream.resize(stream.size() + kMaxMessageSize + 1, 0);
  EXPECT_EQ(decode_stream(stream).error().code, util::Errc::kTooLarge);
  EXPECT_EQ(decode(util::Bytes(kMaxMessageSize + 1, 0)).error().code, util::Errc::kTooLarge);
}

TEST(IdentifyMessage, RejectsTooManyMessages) {
  IdentifyInfo tiny;
  tiny.agent_version = "x";
  util::Bytes stream;
  for (size_t i = 0; i <= kMaxMessages; ++i) util::append(stream, encode_framed(tiny));
  EXPECT_EQ(decode_stream(stream).error().code, util::Errc::kTooLarge);
}

TEST(IdentifyMessage, RejectsGarbage) {
  // Field 1 declared as length-delimited with a length running past the end.
  EXPECT_EQ(decode(util::Bytes{0x0a, 0x05, 0x01}).error().code, util::Errc::kMalformed);
}

}  // namespace
}  // namespace edgevpn::p2p::identify
