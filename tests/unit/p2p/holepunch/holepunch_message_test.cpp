#include "p2p/holepunch/holepunch_message.hpp"

#include <gtest/gtest.h>

#include "../relay/relay_vectors.hpp"
#include "util/varint.hpp"

namespace edgevpn::p2p::holepunch {
namespace {

using relay::testing::vector_bytes;
using relay::testing::vector_text;

TEST(HolePunchMessageTest, EncodesTheSameBytesAsGoLibp2p) {
  const HolePunchMessage connect{MessageType::kConnect,
                                 {*Multiaddr::parse(vector_text("dcutr.connect.obs_addr"))}};
  EXPECT_EQ(util::hex_encode(encode_framed(connect)), vector_text("dcutr.connect.framed"));
  EXPECT_EQ(util::hex_encode(encode_framed(HolePunchMessage{MessageType::kSync, {}})),
            vector_text("dcutr.sync.framed"));
}

TEST(HolePunchMessageTest, DecodesGoLibp2psMessages) {
  auto connect = read_frame(vector_bytes("dcutr.connect.framed"));
  ASSERT_TRUE(connect.ok()) << connect.error().describe();
  EXPECT_EQ(connect->message.type, MessageType::kConnect);
  ASSERT_EQ(connect->message.observed_addrs.size(), 1u);
  EXPECT_EQ(connect->message.observed_addrs[0].to_string(), "/ip4/5.5.5.2/tcp/4001");
  EXPECT_EQ(connect->consumed, vector_bytes("dcutr.connect.framed").size());
  auto sync = read_frame(vector_bytes("dcutr.sync.framed"));
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(sync->message.type, MessageType::kSync);
}

TEST(HolePunchMessageTest, RefusesAMissingOrUnknownType) {
  const util::Bytes no_type = {0x12, 0x00};  // one empty ObsAddrs, no type
  EXPECT_EQ(decode(no_type).error().code, util::Errc::kMalformed);
  const util::Bytes unknown = {0x08, 0xc8, 0x01};  // type 200
  EXPECT_EQ(decode(unknown).error().code, util::Errc::kMalformed);
}

TEST(HolePunchMessageTest, DropsAddressesThatDoNotParse) {
  const util::Bytes wire = {0x08, 0x64, 0x12, 0x02, 0xff, 0xff};  // CONNECT, one bad address
  auto decoded = decode(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_TRUE(decoded->observed_addrs.empty());
}

TEST(HolePunchMessageTest, RefusesFramesOver4KiBAndWaitsForIncompleteOnes) {
  util::Bytes prefix;
  util::put_uvarint(prefix, kMaxMessageSize + 1);
  EXPECT_EQ(read_frame(prefix).error().code, util::Errc::kTooLarge);
  const auto framed = vector_bytes("dcutr.connect.framed");
  EXPECT_EQ(read_frame(util::ByteView(framed).first(framed.size() - 1)).error().code,
            util::Errc::kTruncated);
}

}  // namespace
}  // namespace edgevpn::p2p::holepunch
