// StrictSign: signing bytes layout, signature checks, key/from consistency, message IDs.
#include "p2p/pubsub/message_signing.hpp"

#include <gtest/gtest.h>

#include "pubsub_test_network.hpp"
#include "util/encoding.hpp"

namespace edgevpn::p2p::pubsub {
namespace {

using testing::FakePeer;

TEST(MessageSigning, SignsPrefixFollowedByMessageWithoutSignatureAndKey) {
  FakePeer author(1);
  pb::Message message = author.signed_message("topic", "data", 42);
  pb::Message bare;
  bare.set_from(message.from());
  bare.set_data("data");
  bare.set_seqno(message.seqno());
  bare.set_topic("topic");
  EXPECT_EQ(signing_bytes(message), "libp2p-pubsub:" + bare.SerializeAsString());
  EXPECT_EQ(message.seqno(), std::string("\0\0\0\0\0\0\0\x2a", 8));
  EXPECT_FALSE(message.has_key()) << "Ed25519 keys are inlined in the peer ID";
  EXPECT_EQ(message.signature().size(), 64u);
}

TEST(MessageSigning, AcceptsValidSignatureAndReturnsAuthor) {
  FakePeer author(1);
  auto verified = verify_strict_sign(author.signed_message("t", "payload", 1));
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(*verified, author.id);
}

TEST(MessageSigning, AcceptsExplicitKeyMatchingFrom) {
  FakePeer author(1);
  pb::Message message = author.signed_message("t", "payload", 1);
  message.set_key(util::to_string(author.key.public_key().to_protobuf()));
  EXPECT_TRUE(verify_strict_sign(message).ok());
}

TEST(MessageSigning, RejectsTamperedData) {
  FakePeer author(1);
  pb::Message message = author.signed_message("t", "payload", 1);
  message.set_data("Payload");
  EXPECT_FALSE(verify_strict_sign(message).ok());
}

TEST(MessageSigning, RejectsKeyThatDoesNotMatchFrom) {
  FakePeer author(1);
  FakePeer other(2);
  pb::Message message = other.signed_message("t", "payload", 1);
  message.set_from(util::to_string(author.id.bytes()));
  message.set_key(util::to_string(other.key.public_key().to_protobuf()));
  auto result = verify_strict_sign(message);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kCrypto);
}

TEST(MessageSigning, RejectsSignatureByAnotherKey) {
  FakePeer author(1);
  FakePeer other(2);
  pb::Message message = other.signed_message("t", "payload", 1);
  message.set_from(util::to_string(author.id.bytes()));
  EXPECT_FALSE(verify_strict_sign(message).ok());
}

TEST(MessageSigning, RejectsMissingSignatureFromOrSeqno) {
  FakePeer author(1);
  pb::Message message = author.signed_message("t", "payload", 1);
  pb::Message no_signature = message;
  no_signature.clear_signature();
  EXPECT_FALSE(verify_strict_sign(no_signature).ok());
  pb::Message no_from = message;
  no_from.clear_from();
  EXPECT_FALSE(verify_strict_sign(no_from).ok());
  pb::Message short_seqno = message;
  short_seqno.set_seqno("1234");
  EXPECT_FALSE(verify_strict_sign(short_seqno).ok());
}

// Message{from, data "hello", seqno 1, topic "ledger", signature} by the Ed25519 key with seed
// 0x02 * 32, encoded field by field in go-libp2p-pubsub's order and signed with OpenSSL.
constexpr std::string_view kIndependentlySignedMessage =
    "0a260024080112208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394"
    "120568656c6c6f1a08000000000000000122066c65646765722a40873e320a703b395e9650617424"
    "55839dac355b1a73933f4cb668718b2e160732708db092d82f726da23de5224ed86ef7eb632454b2"
    "36b4625f920bc137872e0a";

TEST(MessageSigning, MatchesIndependentlyEncodedAndSignedMessage) {
  std::array<uint8_t, 32> seed{};
  seed.fill(2);
  const auto key = crypto::PrivateKey::ed25519_from_seed(seed);
  const auto author = crypto::PeerId::from_public_key(key.public_key());
  auto expected = util::hex_decode(kIndependentlySignedMessage);
  ASSERT_TRUE(expected.ok());
  pb::Message parsed;
  ASSERT_TRUE(parsed.ParseFromArray(expected->data(), static_cast<int>(expected->size())));
  auto verified = verify_strict_sign(parsed);
  ASSERT_TRUE(verified.ok()) << verified.error().describe();
  EXPECT_EQ(*verified, author);
  const pb::Message ours = make_signed_message(key, author, "ledger", util::as_bytes("hello"), 1);
  EXPECT_EQ(util::to_bytes(ours.SerializeAsString()), *expected);
}

TEST(MessageSigning, DefaultMessageIdIsFromFollowedBySeqno) {
  FakePeer author(1);
  pb::Message message = author.signed_message("t", "payload", 7);
  EXPECT_EQ(default_message_id(message), util::to_string(author.id.bytes()) + message.seqno());
}

}  // namespace
}  // namespace edgevpn::p2p::pubsub
