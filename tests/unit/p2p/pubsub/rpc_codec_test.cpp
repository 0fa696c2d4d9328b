// Pubsub RPC framing: length-prefixed frames fed in arbitrary chunks, size limit, bad input.
#include "p2p/pubsub/rpc_codec.hpp"

#include <gtest/gtest.h>

#include "p2p/pubsub/outbox.hpp"
#include "pubsub_test_network.hpp"
#include "util/varint.hpp"

namespace edgevpn::p2p::pubsub {
namespace {

pb::RPC sample_rpc(const std::string& topic) {
  pb::RPC rpc;
  auto* opts = rpc.add_subscriptions();
  opts->set_subscribe(true);
  opts->set_topicid(topic);
  rpc.mutable_control()->add_graft()->set_topicid(topic);
  return rpc;
}

TEST(RpcDecoder, ReassemblesFramesFedOneByteAtATime) {
  util::Bytes stream = encode_frame(sample_rpc("a"));
  util::append(stream, encode_frame(sample_rpc("b")));
  RpcDecoder decoder(1024);
  std::vector<pb::RPC> out;
  for (uint8_t byte : stream) ASSERT_TRUE(decoder.feed(util::ByteView(&byte, 1), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].subscriptions(0).topicid(), "a");
  EXPECT_EQ(out[1].control().graft(0).topicid(), "b");
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(RpcDecoder, DecodesSeveralFramesFromOneChunkAndKeepsTheRest) {
  util::Bytes stream = encode_frame(sample_rpc("a"));
  util::append(stream, encode_frame(sample_rpc("b")));
  util::Bytes third = encode_frame(sample_rpc("c"));
  stream.insert(stream.end(), third.begin(), third.begin() + 3);
  RpcDecoder decoder(1024);
  std::vector<pb::RPC> out;
  ASSERT_TRUE(decoder.feed(stream, out).ok());
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(decoder.buffered(), 3u);
  ASSERT_TRUE(decoder.feed(util::ByteView(third).subspan(3), out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].subscriptions(0).topicid(), "c");
}

TEST(RpcDecoder, AcceptsEmptyRpc) {
  RpcDecoder decoder(16);
  std::vector<pb::RPC> out;
  const uint8_t empty = 0;
  ASSERT_TRUE(decoder.feed(util::ByteView(&empty, 1), out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(RpcDecoder, RejectsFrameAnnouncingMoreThanTheLimit) {
  util::Bytes prefix;
  util::put_uvarint(prefix, 2049);
  RpcDecoder decoder(2048);
  std::vector<pb::RPC> out;
  auto status = decoder.feed(prefix, out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kTooLarge);
}

TEST(RpcDecoder, RejectsGarbageProtobufAndStaysFailed) {
  const util::Bytes garbage = {0x03, 0xff, 0xff, 0xff};
  RpcDecoder decoder(1024);
  std::vector<pb::RPC> out;
  auto status = decoder.feed(garbage, out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kMalformed);
  EXPECT_FALSE(decoder.feed(encode_frame(sample_rpc("a")), out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(RpcDecoder, RejectsOverlongLengthPrefix) {
  const util::Bytes prefix(10, 0x80);
  RpcDecoder decoder(1024);
  std::vector<pb::RPC> out;
  auto status = decoder.feed(prefix, out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kMalformed);
}

TEST(Outbox, MergesEverythingQueuedForAPeerIntoOneRpc) {
  const auto peer = testing::peer_of(testing::test_key(1));
  Outbox outbox(1 << 20);
  pb::Message message;
  message.set_topic("t");
  message.set_data("hello");
  outbox.add_subscription(peer, "t", true);
  outbox.add_message(peer, message.SerializeAsString());
  outbox.add_message(peer, message.SerializeAsString());
  outbox.add_graft(peer, "t");
  outbox.add_iwant(peer, {"id"});
  auto frames = outbox.take();
  ASSERT_EQ(frames.size(), 1u);
  auto rpcs = testing::decode_frames(frames[0].second);
  ASSERT_EQ(rpcs.size(), 1u);
  EXPECT_EQ(rpcs[0].subscriptions_size(), 1);
  EXPECT_EQ(rpcs[0].publish_size(), 2);
  EXPECT_EQ(rpcs[0].control().graft_size(), 1);
  EXPECT_EQ(rpcs[0].control().iwant_size(), 1);
  EXPECT_TRUE(outbox.empty());
}

TEST(Outbox, SplitsFramesAtTheMaximumRpcSize) {
  const auto peer = testing::peer_of(testing::test_key(1));
  Outbox outbox(1000);
  pb::Message message;
  message.set_topic("t");
  message.set_data(std::string(300, 'x'));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(outbox.add_message(peer, message.SerializeAsString()));
  message.set_data(std::string(2000, 'x'));
  EXPECT_FALSE(outbox.add_message(peer, message.SerializeAsString()));
  auto frames = outbox.take();
  EXPECT_GE(frames.size(), 4u);
  int total = 0;
  for (const auto& [to, frame] : frames) {
    EXPECT_LE(frame.size(), 1000u);
    for (const auto& rpc : testing::decode_frames(frame)) total += rpc.publish_size();
  }
  EXPECT_EQ(total, 10);
}

TEST(Outbox, GraftAfterPruneOfSameTopicGoesInALaterRpc) {
  const auto peer = testing::peer_of(testing::test_key(1));
  Outbox outbox(1 << 20);
  pb::ControlPrune prune;
  prune.set_topicid("t");
  outbox.add_prune(peer, prune);
  outbox.add_graft(peer, "t");
  auto frames = outbox.take();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(testing::decode_frames(frames[0].second)[0].control().prune_size(), 1);
  EXPECT_EQ(testing::decode_frames(frames[1].second)[0].control().graft_size(), 1);
}

}  // namespace
}  // namespace edgevpn::p2p::pubsub
