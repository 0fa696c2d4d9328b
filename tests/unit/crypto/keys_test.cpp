#include "crypto/keys.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "peer_id_vectors.hpp"
#include "util/encoding.hpp"
#include "util/varint.hpp"

namespace edgevpn::crypto {
namespace {

using testing::vector_bytes;
using testing::vector_text;

util::Bytes message() {
  return util::to_bytes(vector_text("message"));
}

util::Bytes key_message(uint64_t type, util::ByteView data) {
  util::Bytes out{0x08};
  util::put_uvarint(out, type);
  out.push_back(0x12);
  util::put_uvarint(out, data.size());
  util::append(out, data);
  return out;
}

std::array<uint8_t, 32> to_array32(const util::Bytes& bytes) {
  std::array<uint8_t, 32> out{};
  EXPECT_EQ(bytes.size(), 32u);
  std::copy_n(bytes.begin(), std::min<size_t>(32, bytes.size()), out.begin());
  return out;
}

TEST(PrivateKey, LoadsSpecEd25519VectorAndDerivesItsPublicKey) {
  const util::Bytes encoded = vector_bytes("ed25519.private");
  auto key = PrivateKey::from_protobuf(encoded);
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->public_key().to_protobuf(), vector_bytes("ed25519.public"));
  EXPECT_EQ(key->to_protobuf(), encoded);
  EXPECT_TRUE(std::equal(key->seed().begin(), key->seed().end(), encoded.begin() + 4));
}

TEST(PrivateKey, SignaturesMatchJsLibp2p) {
  auto key = PrivateKey::from_protobuf(vector_bytes("ed25519.private"));
  ASSERT_TRUE(key.ok());
  const auto signature = key->sign(message());
  EXPECT_EQ(util::Bytes(signature.begin(), signature.end()), vector_bytes("ed25519.signature"));
  EXPECT_TRUE(key->public_key().verify(message(), signature));
}

TEST(PrivateKey, SeedOfInteropPeerAliceGivesItsKey) {
  const auto key = PrivateKey::ed25519_from_seed(to_array32(vector_bytes("alice.seed")));
  EXPECT_EQ(util::Bytes(key.public_raw().begin(), key.public_raw().end()),
            vector_bytes("alice.public_raw"));
  const auto signature = key.sign(message());
  EXPECT_EQ(util::Bytes(signature.begin(), signature.end()), vector_bytes("alice.signature"));
}

TEST(PrivateKey, AcceptsSeedOnlyAndLegacyNinetySixByteForms) {
  const util::Bytes full = vector_bytes("ed25519.private");
  const util::ByteView seed_and_public = util::ByteView(full).subspan(4);
  auto seed_only = PrivateKey::from_protobuf(key_message(1, seed_and_public.first(32)));
  ASSERT_TRUE(seed_only.ok());
  EXPECT_EQ(seed_only->to_protobuf(), full);

  util::Bytes legacy(seed_and_public.begin(), seed_and_public.end());
  util::append(legacy, seed_and_public.subspan(32));
  auto from_legacy = PrivateKey::from_protobuf(key_message(1, legacy));
  ASSERT_TRUE(from_legacy.ok());
  EXPECT_EQ(from_legacy->to_protobuf(), full);

  legacy.back() ^= 1;
  EXPECT_FALSE(PrivateKey::from_protobuf(key_message(1, legacy)).ok());
}

TEST(PrivateKey, RejectsPublicHalfThatDoesNotMatchSeed) {
  util::Bytes data = vector_bytes("ed25519.private");
  data.back() ^= 0x01;
  auto key = PrivateKey::from_protobuf(data);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, util::Errc::kCrypto);
}

TEST(PrivateKey, RejectsBadLengthsGarbageAndOtherKeyTypes) {
  EXPECT_FALSE(PrivateKey::from_protobuf(key_message(1, util::Bytes(31, 7))).ok());
  EXPECT_FALSE(PrivateKey::from_protobuf(key_message(1, util::Bytes(63, 7))).ok());
  EXPECT_FALSE(PrivateKey::from_protobuf(key_message(1, {})).ok());
  EXPECT_FALSE(PrivateKey::from_protobuf({}).ok());
  EXPECT_FALSE(PrivateKey::from_protobuf(util::to_bytes("not a protobuf")).ok());

  auto secp = PrivateKey::from_protobuf(*util::hex_decode(
      "0802122053DADF1D5A164D6B4ACDB15E24AA4C5B1D3461BDBD42ABEDB0A4404D56CED8FB"));
  ASSERT_FALSE(secp.ok());
  EXPECT_EQ(secp.error().code, util::Errc::kUnsupported);
  auto rsa = PrivateKey::from_protobuf(key_message(0, util::Bytes(100, 1)));
  ASSERT_FALSE(rsa.ok());
  EXPECT_EQ(rsa.error().code, util::Errc::kUnsupported);
}

TEST(PrivateKey, GeneratedKeysAreDistinctAndSignVerifiably) {
  const auto a = PrivateKey::generate_ed25519();
  const auto b = PrivateKey::generate_ed25519();
  EXPECT_NE(a.seed(), b.seed());
  EXPECT_NE(a.public_raw(), b.public_raw());

  const auto signature = a.sign(message());
  EXPECT_TRUE(a.public_key().verify(message(), signature));
  EXPECT_FALSE(b.public_key().verify(message(), signature));
  auto tampered = signature;
  tampered[10] ^= 0x40;
  EXPECT_FALSE(a.public_key().verify(message(), tampered));
  EXPECT_FALSE(a.public_key().verify(util::to_bytes("other message"), signature));
  EXPECT_FALSE(a.public_key().verify(message(), util::ByteView(signature).first(63)));
  EXPECT_FALSE(a.public_key().verify(message(), {}));

  // Round trip through the private key protobuf.
  auto again = PrivateKey::from_protobuf(a.to_protobuf());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_raw(), a.public_raw());
  // An empty message signs and verifies too.
  EXPECT_TRUE(a.public_key().verify({}, a.sign({})));
}

struct RemoteKeyCase {
  const char* name;
  KeyType type;
};

class RemotePublicKey : public ::testing::TestWithParam<RemoteKeyCase> {};

TEST_P(RemotePublicKey, DecodesReencodesAndVerifiesJsSignature) {
  const std::string name = GetParam().name;
  const util::Bytes encoded = vector_bytes(name + ".public");
  auto key = PublicKey::from_protobuf(encoded);
  ASSERT_TRUE(key.ok()) << key.error().describe();
  EXPECT_EQ(key->type(), GetParam().type);
  EXPECT_EQ(key->to_protobuf(), encoded);

  const util::Bytes signature = vector_bytes(name + ".signature");
  EXPECT_TRUE(key->verify(message(), signature));
  EXPECT_FALSE(key->verify(util::to_bytes("edgevpn test messagE"), signature));
  util::Bytes tampered = signature;
  tampered[tampered.size() / 2] ^= 0x01;
  EXPECT_FALSE(key->verify(message(), tampered));
  EXPECT_FALSE(key->verify(message(), {}));
  EXPECT_FALSE(key->verify(message(), util::ByteView(signature).first(signature.size() - 1)));
}

INSTANTIATE_TEST_SUITE_P(SpecVectors, RemotePublicKey,
                         ::testing::Values(RemoteKeyCase{"ed25519", KeyType::kEd25519},
                                           RemoteKeyCase{"secp256k1", KeyType::kSecp256k1},
                                           RemoteKeyCase{"ecdsa", KeyType::kEcdsa},
                                           RemoteKeyCase{"rsa", KeyType::kRsa}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PublicKey, EncodesFieldsInOrderWhateverTheInputOrder) {
  const util::Bytes encoded = vector_bytes("ed25519.public");
  const util::Bytes raw(encoded.begin() + 4, encoded.end());
  util::Bytes reversed{0x12, 0x20};
  util::append(reversed, raw);
  util::append(reversed, util::Bytes{0x08, 0x01});
  auto key = PublicKey::from_protobuf(reversed);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->to_protobuf(), vector_bytes("ed25519.public"));
  EXPECT_EQ(key->data(), raw);
  EXPECT_EQ(*key, PublicKey::ed25519(to_array32(raw)));
}

TEST(PublicKey, RejectsMalformedProtobufs) {
  EXPECT_FALSE(PublicKey::from_protobuf({}).ok());
  EXPECT_FALSE(PublicKey::from_protobuf(util::Bytes{0x08, 0x01}).ok());             // no Data
  EXPECT_FALSE(PublicKey::from_protobuf(util::Bytes{0x12, 0x01, 0x00}).ok());       // no Type
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(4, util::Bytes(32, 1))).ok());  // bad type
  EXPECT_FALSE(PublicKey::from_protobuf(util::Bytes{0x08, 0x01, 0x12, 0x20, 0x00}).ok());
  EXPECT_FALSE(PublicKey::from_protobuf(util::Bytes{0xff, 0xff, 0xff}).ok());
}

TEST(PublicKey, RejectsEd25519KeysOfWrongLength) {
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(1, util::Bytes(31, 1))).ok());
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(1, util::Bytes(33, 1))).ok());
}

TEST(PublicKey, RejectsSecp256k1PointsOffTheCurveOrBadlyPrefixed) {
  util::Bytes point(33, 0);
  point[0] = 0x02;
  point[32] = 1;  // x = 1 is on the curve
  EXPECT_TRUE(PublicKey::from_protobuf(key_message(2, point)).ok());
  point[32] = 5;  // x = 5 is not
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(2, point)).ok());
  point[32] = 1;
  point[0] = 0x05;
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(2, point)).ok());
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(2, util::Bytes(33, 0xff))).ok());
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(2, util::Bytes(32, 2))).ok());
}

TEST(PublicKey, RejectsBadDerAndMismatchedTypes) {
  const util::Bytes ecdsa_encoded = vector_bytes("ecdsa.public");
  const util::Bytes ecdsa_der(ecdsa_encoded.begin() + 4, ecdsa_encoded.end());
  ASSERT_EQ(ecdsa_der.size(), 91u);
  EXPECT_TRUE(PublicKey::from_protobuf(key_message(3, ecdsa_der)).ok());
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(0, ecdsa_der)).ok());  // EC key as RSA

  util::Bytes trailing = ecdsa_der;
  trailing.push_back(0);
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(3, trailing)).ok());
  util::Bytes truncated(ecdsa_der.begin(), ecdsa_der.end() - 1);
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(3, truncated)).ok());
  util::Bytes off_curve = ecdsa_der;
  off_curve[40] ^= 0x01;
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(3, off_curve)).ok());
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(3, util::Bytes(91, 0x30))).ok());

  const util::Bytes rsa_encoded = vector_bytes("rsa.public");
  const util::Bytes rsa_der(rsa_encoded.begin() + 5, rsa_encoded.end());
  EXPECT_FALSE(PublicKey::from_protobuf(key_message(3, rsa_der)).ok());  // RSA key as ECDSA
}

TEST(PublicKey, RejectsRsaKeysBelow2048Bits) {
  EVP_PKEY* small = EVP_RSA_gen(1024);
  ASSERT_NE(small, nullptr);
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(small, &der);
  ASSERT_GT(length, 0);
  const util::Bytes spki(der, der + length);
  OPENSSL_free(der);
  EVP_PKEY_free(small);
  auto key = PublicKey::from_protobuf(key_message(0, spki));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, util::Errc::kCrypto);
}

TEST(PublicKey, SignatureOfOneTypeDoesNotVerifyUnderAnother) {
  auto secp = PublicKey::from_protobuf(vector_bytes("secp256k1.public"));
  auto ecdsa = PublicKey::from_protobuf(vector_bytes("ecdsa.public"));
  ASSERT_TRUE(secp.ok() && ecdsa.ok());
  EXPECT_FALSE(secp->verify(message(), vector_bytes("ecdsa.signature")));
  EXPECT_FALSE(ecdsa->verify(message(), vector_bytes("secp256k1.signature")));
}

}  // namespace
}  // namespace edgevpn::crypto
