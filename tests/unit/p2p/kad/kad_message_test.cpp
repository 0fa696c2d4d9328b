// Tests for the Kademlia message codec: spec field numbers, round trips, framing and limits.
#include "p2p/kad/kad_message.hpp"

#include <gtest/gtest.h>

#include "kad_test_util.hpp"
#include "util/varint.hpp"

namespace edgevpn::p2p::kad {
namespace {

using testing::make_peer;

TEST(KadMessage, EncodesFindNodeWithSpecFieldNumbers) {
  Message message;
  message.type = MessageType::kFindNode;
  message.key = util::to_bytes("abc");
  // type (field 1, varint) = 4, key (field 2, bytes) = "abc".
  EXPECT_EQ(encode(message), (util::Bytes{0x08, 0x04, 0x12, 0x03, 'a', 'b', 'c'}));
}

TEST(KadMessage, EncodesPeersInCloserAndProviderFields) {
  Message message;
  message.type = MessageType::kGetProviders;
  PeerInfo peer;
  peer.id = make_peer(1).id;
  peer.addrs.push_back(Multiaddr::parse("/ip4/1.2.3.4/tcp/80").value());
  peer.connection = ConnectionType::kConnected;
  message.closer_peers.push_back(peer);
  const util::Bytes wire = encode(message);
  // 08 03 | 42 len | 0a 22 <id> | 12 08 <addr> | 18 01
  ASSERT_GE(wire.size(), 6u);
  EXPECT_EQ(wire[0], 0x08);
  EXPECT_EQ(wire[1], 0x03);
  EXPECT_EQ(wire[2], 0x42);  // field 8, length-delimited
  EXPECT_EQ(wire[4], 0x0a);  // Peer.id field 1
  EXPECT_EQ(wire[5], 0x22);  // 34-byte sha2-256 multihash
  const util::Bytes addr = peer.addrs[0].bytes();
  const size_t addr_at = 6 + 34;
  EXPECT_EQ(wire[addr_at], 0x12);  // Peer.addrs field 2
  EXPECT_EQ(wire[addr_at + 1], addr.size());
  EXPECT_EQ(wire[addr_at + 2 + addr.size()], 0x18);  // Peer.connection field 3
  EXPECT_EQ(wire[addr_at + 3 + addr.size()], 0x01);

  message.provider_peers = message.closer_peers;
  message.closer_peers.clear();
  EXPECT_EQ(encode(message)[2], 0x4a);  // field 9, length-delimited
}

TEST(KadMessage, RoundTripsEveryField) {
  Message message;
  message.type = MessageType::kGetValue;
  message.cluster_level_raw = 7;
  message.key = util::to_bytes("/pk/key");
  message.record =
      Record{util::to_bytes("/pk/key"), util::to_bytes("value"), "2024-01-01T00:00:00Z"};
  message.closer_peers = {make_peer(1), make_peer(2)};
  message.provider_peers = {make_peer(3)};
  message.provider_peers[0].connection = ConnectionType::kCannotConnect;
  auto decoded = decode(encode(message));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, message);
}

TEST(KadMessage, KeepsUnknownMessageTypes) {
  Message message;
  message.type = static_cast<MessageType>(32);
  auto decoded = decode(encode(message));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(static_cast<int>(decoded->type), 32);
}

TEST(KadMessage, DropsPeersWithInvalidIdsAndBadAddresses) {
  // closerPeers { id: "xx" }, closerPeers { id: <valid>, addrs: [0xff 0xff] }
  const util::Bytes id = make_peer(5).id.bytes();
  util::Bytes wire{0x08, 0x04, 0x42, 0x04, 0x0a, 0x02, 'x', 'x'};
  util::Bytes peer{0x0a, static_cast<uint8_t>(id.size())};
  util::append(peer, id);
  util::append(peer, util::Bytes{0x12, 0x02, 0xff, 0xff});
  wire.push_back(0x42);
  wire.push_back(static_cast<uint8_t>(peer.size()));
  util::append(wire, peer);
  auto decoded = decode(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  ASSERT_EQ(decoded->closer_peers.size(), 1u);
  EXPECT_EQ(decoded->closer_peers[0].id, make_peer(5).id);
  EXPECT_TRUE(decoded->closer_peers[0].addrs.empty());
}

TEST(KadMessage, RejectsGarbage) {
  EXPECT_FALSE(decode(util::Bytes{0x0a, 0x05, 0x01}).ok());
}

TEST(KadMessage, AddProviderCarriesTheAnnouncerWithItsAddresses) {
  const util::Bytes key{0x12, 0x20, 1, 2, 3};
  const Message add = make_add_provider(key, make_peer(4));
  EXPECT_EQ(add.type, MessageType::kAddProvider);
  EXPECT_EQ(add.key, key);
  ASSERT_EQ(add.provider_peers.size(), 1u);
  EXPECT_EQ(add.provider_peers[0], make_peer(4));
  EXPECT_TRUE(add.closer_peers.empty());
  EXPECT_EQ(make_find_node(make_peer(5).id).key, make_peer(5).id.bytes());
  EXPECT_EQ(make_get_providers(key).type, MessageType::kGetProviders);
}

TEST(KadMessage, CappedKeepsABoundedNumberOfAddresses) {
  PeerInfo peer = make_peer(1);
  for (int i = 0; i < 40; ++i) {
    peer.addrs.push_back(Multiaddr::parse("/ip4/10.1.0." + std::to_string(i) + "/tcp/1").value());
  }
  EXPECT_EQ(capped(peer).addrs.size(), kMaxAddrsPerPeer);
  EXPECT_EQ(capped(peer).addrs[0], peer.addrs[0]);
}

TEST(KadFrame, ReadsBackToBackFrames) {
  Message first;
  first.type = MessageType::kPing;
  Message second;
  second.type = MessageType::kFindNode;
  second.key = make_peer(9).id.bytes();
  util::Bytes stream = encode_framed(first);
  util::append(stream, encode_framed(second));

  auto one = read_frame(stream);
  ASSERT_TRUE(one.ok()) << one.error().describe();
  EXPECT_EQ(one->message, first);
  auto two = read_frame(util::ByteView(stream).subspan(one->consumed));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->message, second);
  EXPECT_EQ(one->consumed + two->consumed, stream.size());
}

TEST(KadFrame, AsksForMoreBytesWhenIncomplete) {
  Message message;
  message.type = MessageType::kFindNode;
  message.key = util::to_bytes("target");
  const util::Bytes stream = encode_framed(message);
  for (size_t cut = 0; cut < stream.size(); ++cut) {
    auto frame = read_frame(util::ByteView(stream).first(cut));
    ASSERT_FALSE(frame.ok());
    EXPECT_EQ(frame.error().code, util::Errc::kTruncated) << cut;
  }
}

TEST(KadFrame, RejectsLengthOverTheLimitBeforeTheBodyArrives) {
  util::Bytes stream;
  util::put_uvarint(stream, kMaxMessageSize + 1);
  auto frame = read_frame(stream);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().code, util::Errc::kTooLarge);

  util::Bytes small;
  util::put_uvarint(small, 100);
  auto limited = read_frame(small, 50);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, util::Errc::kTooLarge);
}

}  // namespace
}  // namespace edgevpn::p2p::kad
