// Seal key, topics and rendezvous against spec section 16 vectors (EdgeVPN's own outputs).
#include "ledger/derivations.hpp"

#include <gtest/gtest.h>

#include "crypto/hash.hpp"
#include "util/encoding.hpp"

namespace edgevpn::ledger {
namespace {

constexpr int64_t kVectorTime = 1700000000;

TEST(Derivations, SealKeyMatchesVector) {
  EXPECT_EQ(seal_key({"cryptokey", 360, 43}, kVectorTime), "a89467c668bac45b14921cf589c02fb8");
}

TEST(Derivations, LedgerTopicMatchesVector) {
  EXPECT_EQ(ledger_topic("roomname", {"cryptokey", 360, 43}, kVectorTime),
            "50a7d9624e08cedc95f3dea089919925");
}

TEST(Derivations, PublicTopicMatchesVector) {
  EXPECT_EQ(public_topic("roomname", {"cryptokey", 360, 43}, kVectorTime),
            "73fd8fc26d531b57cce16d7f78589534");
}

TEST(Derivations, TopicDependsOnRoomNotCryptoKey) {
  EXPECT_EQ(ledger_topic("roomname", {"other", 360, 43}, kVectorTime),
            ledger_topic("roomname", {"cryptokey", 360, 43}, kVectorTime));
}

TEST(Derivations, DhtRendezvousMatchesVector) {
  EXPECT_EQ(dht_rendezvous({"dhtkey", 360, 43}, "static", kVectorTime),
            "fe808b8a671de5fec4e3d231ed83e9e7");
}

TEST(Derivations, DhtRendezvousFallsBackToStaticStringWithoutKey) {
  EXPECT_EQ(dht_rendezvous({"", 360, 43}, "myrendezvous", kVectorTime), "myrendezvous");
}

TEST(Derivations, DhtLengthZeroMeansTwelve) {
  EXPECT_EQ(dht_rendezvous({"dhtkey", 360, 0}, "", kVectorTime),
            dht_rendezvous({"dhtkey", 360, 12}, "", kVectorTime));
  EXPECT_NE(dht_rendezvous({"dhtkey", 360, 0}, "", kVectorTime),
            dht_rendezvous({"dhtkey", 360, 6}, "", kVectorTime));
}

TEST(Derivations, RendezvousCidIsRawSha256CidV1) {
  auto cid = rendezvous_cid("fe808b8a671de5fec4e3d231ed83e9e7");
  ASSERT_EQ(cid.size(), 36u);
  EXPECT_EQ(util::hex_encode(util::ByteView(cid).first(4)), "01551220");
  auto digest = crypto::sha256(util::as_bytes("fe808b8a671de5fec4e3d231ed83e9e7"));
  EXPECT_TRUE(std::equal(digest.begin(), digest.end(), cid.begin() + 4));
}

TEST(Derivations, RendezvousCidStringIsBase32Multibase) {
  // CIDv1 raw sha2-256 of the empty string, as printed by `ipfs cid` tools.
  EXPECT_EQ(rendezvous_cid_string(""),
            "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
}

}  // namespace
}  // namespace edgevpn::ledger
