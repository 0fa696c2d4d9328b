// AESSealer: the fixed-nonce vector of spec section 16 and the unseal error paths.
#include "ledger/sealer.hpp"

#include <gtest/gtest.h>

namespace edgevpn::ledger {
namespace {

constexpr std::string_view kKey = "a89467c668bac45b14921cf589c02fb8";
constexpr crypto::AesGcmNonce kCountingNonce = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
constexpr std::string_view kVector =
    "000102030405060708090a0b3fae8ae0da3b1753e138786382476e64e51c51cd0f";

TEST(AesSealer, SealWithFixedNonceMatchesVector) {
  EXPECT_EQ(AesSealer::seal_with_nonce("hello", kKey, kCountingNonce), kVector);
}

TEST(AesSealer, UnsealsVector) {
  auto opened = AesSealer::unseal(kVector, kKey);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, "hello");
}

TEST(AesSealer, SealUsesFreshNonceAndRoundTrips) {
  auto a = AesSealer::seal("payload", kKey);
  auto b = AesSealer::seal("payload", kKey);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 2 * (12 + 7 + 16));
  EXPECT_EQ(*AesSealer::unseal(a, kKey), "payload");
}

TEST(AesSealer, SealsBinaryPayloads) {
  std::string binary("\x1f\x8b\x00\xff\x00", 5);
  EXPECT_EQ(*AesSealer::unseal(AesSealer::seal(binary, kKey), kKey), binary);
}

TEST(AesSealer, RejectsWrongKey) {
  auto opened = AesSealer::unseal(kVector, "00000000000000000000000000000000");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kCrypto);
}

TEST(AesSealer, RejectsNonHex) {
  EXPECT_EQ(AesSealer::unseal(std::string(40, 'z'), kKey).error().code, util::Errc::kMalformed);
}

TEST(AesSealer, RejectsShorterThanNonce) {
  EXPECT_EQ(AesSealer::unseal("0001020304", kKey).error().code, util::Errc::kTruncated);
  EXPECT_EQ(AesSealer::unseal("", kKey).error().code, util::Errc::kTruncated);
}

TEST(AesSealer, ShortKeysAreZeroPaddedLongKeysTruncated) {
  auto short_key = AesSealer::key_from_string("ab");
  EXPECT_EQ(short_key[0], 'a');
  EXPECT_EQ(short_key[2], 0);
  auto long_key = AesSealer::key_from_string(std::string(40, 'x'));
  EXPECT_EQ(long_key[31], 'x');
  EXPECT_EQ(AesSealer::seal_with_nonce("m", std::string(kKey) + "extra", kCountingNonce),
            AesSealer::seal_with_nonce("m", kKey, kCountingNonce));
}

}  // namespace
}  // namespace edgevpn::ledger
