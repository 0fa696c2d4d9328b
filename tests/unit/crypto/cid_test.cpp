#include "crypto/cid.hpp"

#include <gtest/gtest.h>

#include "peer_id_vectors.hpp"
#include "util/encoding.hpp"

namespace edgevpn::crypto {
namespace {

using testing::vector_bytes;
using testing::vector_text;

TEST(Multihash, Sha256AndIdentityEncodings) {
  const util::Bytes sha = sha256_multihash(util::to_bytes("rendezvous"));
  EXPECT_EQ(sha, vector_bytes("rendezvous.multihash"));
  EXPECT_EQ(sha256_multihash(util::to_bytes(vector_text("otp.text"))),
            vector_bytes("otp.multihash"));
  // SHA-256("") = e3b0c442...
  EXPECT_EQ(util::hex_encode(sha256_multihash({})),
            "1220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  EXPECT_EQ(identity_multihash(util::Bytes{1, 2, 3}), (util::Bytes{0x00, 0x03, 1, 2, 3}));
  const util::Bytes long_identity = identity_multihash(util::Bytes(200, 5));
  EXPECT_EQ(long_identity[0], 0x00);
  EXPECT_EQ(long_identity[1], 0xc8);  // varint 200 = c8 01
  EXPECT_EQ(long_identity[2], 0x01);
  EXPECT_EQ(long_identity.size(), 203u);
}

TEST(Multihash, DecodesAndReportsLength) {
  util::Bytes input = vector_bytes("rendezvous.multihash");
  input.push_back(0xaa);
  auto read = read_multihash(input);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->code, kMultihashSha2_256);
  EXPECT_EQ(read->digest.size(), 32u);
  EXPECT_EQ(read->length, 34u);
  EXPECT_FALSE(decode_multihash(input).ok());  // trailing byte
  input.pop_back();
  EXPECT_TRUE(decode_multihash(input).ok());

  // Another function code (sha2-512) with any digest length decodes generically.
  util::Bytes other{0x13, 0x02, 9, 9};
  auto generic = decode_multihash(other);
  ASSERT_TRUE(generic.ok());
  EXPECT_EQ(generic->code, 0x13u);
}

TEST(Multihash, RejectsTruncatedAndInconsistentInput) {
  EXPECT_FALSE(decode_multihash({}).ok());
  EXPECT_FALSE(decode_multihash(util::Bytes{0x12}).ok());
  EXPECT_FALSE(decode_multihash(util::Bytes{0x12, 0x20, 1, 2}).ok());
  EXPECT_EQ(decode_multihash(util::Bytes{0x12, 0x20, 1, 2}).error().code, util::Errc::kTruncated);
  EXPECT_FALSE(decode_multihash(util::Bytes{0x12, 0x02, 1, 2}).ok());  // sha2-256 must be 32
  EXPECT_FALSE(decode_multihash(util::Bytes{0x80, 0x00, 0x00}).ok());  // non-minimal varint
  EXPECT_FALSE(decode_multihash(util::Bytes{0x00, 0xff, 0xff, 0xff, 0xff, 0x0f}).ok());
}

TEST(Cid, RendezvousKeyMatchesMultiformatsJs) {
  EXPECT_EQ(cid_v1_raw_sha256("rendezvous"), vector_text("rendezvous.cid"));
  EXPECT_EQ(cid_v1_raw_sha256(vector_text("otp.text")), vector_text("otp.cid"));
  const Cid cid = cid_v1_raw_sha256_cid("rendezvous");
  EXPECT_EQ(cid.version(), 1u);
  EXPECT_EQ(cid.codec(), kCodecRaw);
  EXPECT_EQ(cid.bytes(), vector_bytes("rendezvous.cid_bytes"));
  // The DHT key is the CID's multihash.
  EXPECT_EQ(cid.multihash(), vector_bytes("rendezvous.multihash"));
}

TEST(Cid, ParsesAndRoundTrips) {
  auto cid = Cid::parse(vector_text("rendezvous.cid"));
  ASSERT_TRUE(cid.ok()) << cid.error().describe();
  EXPECT_EQ(cid->to_string(), vector_text("rendezvous.cid"));
  EXPECT_EQ(*cid, cid_v1_raw_sha256_cid("rendezvous"));
  auto from_bytes = Cid::from_bytes(cid->bytes());
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(*from_bytes, *cid);

  // Other multibases of the same bytes.
  const util::Bytes bytes = cid->bytes();
  for (const std::string& text :
       {"z" + util::base58_encode(bytes), "f" + util::hex_encode(bytes),
        "u" + util::base64_encode(bytes, util::Base64::kUrlNoPadding),
        "m" + util::base64_encode(bytes, util::Base64::kStandardNoPadding)}) {
    auto other = Cid::parse(text);
    ASSERT_TRUE(other.ok()) << text;
    EXPECT_EQ(*other, *cid) << text;
  }
}

TEST(Cid, HandlesVersionZero) {
  auto v0 = Cid::parse(vector_text("spec.base58"));
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(v0->version(), 0u);
  EXPECT_EQ(v0->codec(), kCodecDagPb);
  EXPECT_EQ(v0->multihash(), vector_bytes("spec.multihash"));
  EXPECT_EQ(v0->bytes(), vector_bytes("spec.multihash"));
  EXPECT_EQ(v0->to_string(), vector_text("spec.base58"));
}

TEST(Cid, RejectsBadInput) {
  EXPECT_FALSE(Cid::parse("").ok());
  EXPECT_FALSE(Cid::parse("b").ok());
  EXPECT_FALSE(Cid::parse("x1234").ok());  // unknown multibase
  EXPECT_FALSE(Cid::parse("bafkrei!").ok());
  EXPECT_FALSE(Cid::parse("b" + std::string(2000, 'a')).ok());
  EXPECT_FALSE(Cid::from_bytes({}).ok());
  EXPECT_FALSE(Cid::from_bytes(util::Bytes{0x01}).ok());
  EXPECT_FALSE(Cid::from_bytes(util::Bytes{0x01, 0x55}).ok());
  EXPECT_FALSE(Cid::from_bytes(util::Bytes{0x02, 0x55, 0x00, 0x01, 0x00}).ok());  // version 2
  util::Bytes truncated = vector_bytes("rendezvous.cid_bytes");
  truncated.pop_back();
  EXPECT_FALSE(Cid::from_bytes(truncated).ok());
  util::Bytes trailing = vector_bytes("rendezvous.cid_bytes");
  trailing.push_back(0);
  EXPECT_FALSE(Cid::from_bytes(trailing).ok());
}

TEST(Multibase, DecodesSupportedPrefixes) {
  EXPECT_EQ(*multibase_decode("f666f6f"), util::to_bytes("foo"));
  EXPECT_EQ(*multibase_decode("bmzxw6"), util::to_bytes("foo"));
  EXPECT_EQ(*multibase_decode("BMZXW6"), util::to_bytes("foo"));
  EXPECT_EQ(*multibase_decode("mZm9v"), util::to_bytes("foo"));
  EXPECT_EQ(*multibase_decode("uZm9v"), util::to_bytes("foo"));
  EXPECT_EQ(*multibase_decode("z" + util::base58_encode(util::to_bytes("foo"))),
            util::to_bytes("foo"));
  EXPECT_FALSE(multibase_decode("").ok());
  EXPECT_FALSE(multibase_decode("q123").ok());
  EXPECT_FALSE(multibase_decode("fzz").ok());
}

}  // namespace
}  // namespace edgevpn::crypto
