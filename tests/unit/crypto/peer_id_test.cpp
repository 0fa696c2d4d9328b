#include "crypto/peer_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <unordered_set>

#include "crypto/cid.hpp"
#include "peer_id_vectors.hpp"
#include "util/encoding.hpp"

namespace edgevpn::crypto {
namespace {

using testing::vector_bytes;
using testing::vector_text;

class SpecPeerId : public ::testing::TestWithParam<const char*> {};

TEST_P(SpecPeerId, DerivesTheJsLibp2pPeerIdFromThePublicKey) {
  const std::string name = GetParam();
  auto key = PublicKey::from_protobuf(vector_bytes(name + ".public"));
  ASSERT_TRUE(key.ok()) << key.error().describe();
  const PeerId id = PeerId::from_public_key(*key);
  EXPECT_EQ(id.to_base58(), vector_text(name + ".peer_id"));
  EXPECT_EQ(id.to_cid(), vector_text(name + ".cid"));
  EXPECT_TRUE(id.matches(*key));

  auto from_base58 = PeerId::parse(vector_text(name + ".peer_id"));
  ASSERT_TRUE(from_base58.ok()) << from_base58.error().describe();
  EXPECT_EQ(*from_base58, id);
  auto from_cid = PeerId::parse(vector_text(name + ".cid"));
  ASSERT_TRUE(from_cid.ok()) << from_cid.error().describe();
  EXPECT_EQ(*from_cid, id);
  auto from_bytes = PeerId::from_bytes(id.bytes());
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(*from_bytes, id);
}

INSTANTIATE_TEST_SUITE_P(Vectors, SpecPeerId,
                         ::testing::Values("ed25519", "secp256k1", "ecdsa", "rsa"));

TEST(PeerId, InlinesShortKeysAndHashesLongOnes) {
  auto ed = PublicKey::from_protobuf(vector_bytes("ed25519.public"));
  auto secp = PublicKey::from_protobuf(vector_bytes("secp256k1.public"));
  auto ecdsa = PublicKey::from_protobuf(vector_bytes("ecdsa.public"));
  ASSERT_TRUE(ed.ok() && secp.ok() && ecdsa.ok());

  const PeerId ed_id = PeerId::from_public_key(*ed);
  util::Bytes expected{0x00, 0x24};
  util::append(expected, vector_bytes("ed25519.public"));
  EXPECT_EQ(ed_id.bytes(), expected);
  EXPECT_EQ(ed_id.to_base58().substr(0, 8), "12D3KooW");

  const PeerId secp_id = PeerId::from_public_key(*secp);
  EXPECT_EQ(secp_id.bytes()[0], 0x00);
  EXPECT_EQ(secp_id.bytes()[1], 37);

  const PeerId ecdsa_id = PeerId::from_public_key(*ecdsa);
  EXPECT_EQ(ecdsa_id.bytes(), sha256_multihash(vector_bytes("ecdsa.public")));
  EXPECT_EQ(ecdsa_id.to_base58().substr(0, 2), "Qm");
}

TEST(PeerId, InteropPeerAliceHasTheExpectedId) {
  std::array<uint8_t, 32> seed{};
  const util::Bytes seed_bytes = vector_bytes("alice.seed");
  std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());
  const auto key = PrivateKey::ed25519_from_seed(seed);
  const PeerId id = PeerId::from_public_key(key.public_key());
  EXPECT_EQ(id.to_base58(), "12D3KooWQCkBm1BYtkHpocxCwMgR8yjitEeHGx8spzcDLGt2gkBm");
  EXPECT_EQ(id.to_base58(), vector_text("alice.peer_id"));
  EXPECT_EQ(id.to_cid(), vector_text("alice.cid"));
}

TEST(PeerId, SpecExampleTextFormsAreTheSameId) {
  auto base58 = PeerId::parse(vector_text("spec.base58"));
  auto cid = PeerId::parse(vector_text("spec.cid"));
  ASSERT_TRUE(base58.ok() && cid.ok());
  EXPECT_EQ(*base58, *cid);
  EXPECT_EQ(base58->bytes(), vector_bytes("spec.multihash"));
  EXPECT_EQ(base58->to_cid(), vector_text("spec.cid"));
  EXPECT_EQ(cid->to_base58(), vector_text("spec.base58"));
  EXPECT_FALSE(base58->extract_public_key().has_value());  // hashed: no key inside
}

TEST(PeerId, ExtractsInlinedPublicKeys) {
  for (const char* name : {"ed25519", "secp256k1"}) {
    auto id = PeerId::parse(vector_text(std::string(name) + ".peer_id"));
    ASSERT_TRUE(id.ok());
    auto key = id->extract_public_key();
    ASSERT_TRUE(key.has_value()) << name;
    EXPECT_EQ(key->to_protobuf(), vector_bytes(std::string(name) + ".public"));
    EXPECT_TRUE(id->matches(*key));
  }
}

TEST(PeerId, MatchesOnlyItsOwnKey) {
  const auto a = PrivateKey::generate_ed25519();
  const auto b = PrivateKey::generate_ed25519();
  const PeerId id = PeerId::from_public_key(a.public_key());
  EXPECT_TRUE(id.matches(a.public_key()));
  EXPECT_FALSE(id.matches(b.public_key()));
  EXPECT_FALSE(PeerId().matches(a.public_key()));
  EXPECT_TRUE(PeerId().empty());
  EXPECT_FALSE(id.empty());
}

TEST(PeerId, RejectsBadText) {
  EXPECT_FALSE(PeerId::parse("").ok());
  EXPECT_FALSE(PeerId::parse("12D3KooW").ok());  // truncated multihash
  EXPECT_FALSE(PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5").ok());
  EXPECT_FALSE(PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5NN").ok());
  EXPECT_FALSE(PeerId::parse("12D3KooW0OIl").ok());  // not base58
  EXPECT_FALSE(PeerId::parse("hello").ok());
  EXPECT_FALSE(PeerId::parse(std::string(1000, '1')).ok());
  // A CID with another codec (raw) is not a peer ID.
  EXPECT_FALSE(PeerId::parse(vector_text("rendezvous.cid")).ok());
  // A CIDv1 with the libp2p-key codec but in base58 ('z') multibase is fine.
  auto spec = PeerId::parse(vector_text("spec.base58"));
  ASSERT_TRUE(spec.ok());
  util::Bytes cid_bytes{0x01, 0x72};
  util::append(cid_bytes, spec->bytes());
  auto z = PeerId::parse("z" + util::base58_encode(cid_bytes));
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(*z, *spec);
}

TEST(PeerId, FromBytesAcceptsOnlyIdentityAndSha256Multihashes) {
  EXPECT_FALSE(PeerId::from_bytes({}).ok());
  EXPECT_FALSE(PeerId::from_bytes(util::Bytes{0x00}).ok());
  EXPECT_FALSE(PeerId::from_bytes(util::Bytes{0x00, 0x00}).ok());        // empty identity
  EXPECT_FALSE(PeerId::from_bytes(util::Bytes{0x00, 0x05, 1, 2}).ok());  // truncated
  EXPECT_FALSE(PeerId::from_bytes(util::Bytes{0x00, 0x01, 1, 2}).ok());  // trailing byte
  EXPECT_TRUE(PeerId::from_bytes(util::Bytes{0x00, 0x01, 1}).ok());
  util::Bytes long_identity{0x00, 43};
  long_identity.resize(2 + 43, 7);
  EXPECT_FALSE(PeerId::from_bytes(long_identity).ok());
  util::Bytes sha{0x12, 0x20};
  sha.resize(34, 9);
  EXPECT_TRUE(PeerId::from_bytes(sha).ok());
  sha[1] = 0x1f;
  sha.pop_back();
  EXPECT_FALSE(PeerId::from_bytes(sha).ok());  // sha2-256 with a 31-byte digest
  util::Bytes sha512{0x13, 0x40};
  sha512.resize(66, 1);
  EXPECT_FALSE(PeerId::from_bytes(sha512).ok());
}

TEST(PeerId, OrdersAndHashesForContainers) {
  const PeerId a = PeerId::from_public_key(PrivateKey::generate_ed25519().public_key());
  const PeerId b = PeerId::from_public_key(PrivateKey::generate_ed25519().public_key());
  std::set<PeerId> ordered{a, b, a};
  std::unordered_set<PeerId> hashed{a, b, a};
  EXPECT_EQ(ordered.size(), 2u);
  EXPECT_EQ(hashed.size(), 2u);
  EXPECT_TRUE(hashed.count(a) == 1 && hashed.count(b) == 1);
}

}  // namespace
}  // namespace edgevpn::crypto
