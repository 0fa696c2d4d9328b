// AES-256-GCM: the EdgeVPN vector of spec section 16, NIST's zero-key vector, and rejection of
// tampered or truncated input.
#include "crypto/aes_gcm.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "crypto/random.hpp"
#include "util/encoding.hpp"

namespace edgevpn::crypto {
namespace {

AesGcmKey ascii_key(std::string_view text) {
  AesGcmKey key{};
  std::copy_n(text.begin(), key.size(), key.begin());
  return key;
}

constexpr AesGcmNonce kCountingNonce = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

TEST(AesGcm, SealsEdgeVpnVector) {
  auto sealed = aes256_gcm_seal(ascii_key("a89467c668bac45b14921cf589c02fb8"), kCountingNonce,
                                util::as_bytes("hello"));
  EXPECT_EQ(util::hex_encode(sealed), "3fae8ae0da3b1753e138786382476e64e51c51cd0f");
}

TEST(AesGcm, MatchesNistZeroKeyVector) {
  // GCM spec test case 14: 256-bit zero key, zero IV, one zero block.
  AesGcmKey key{};
  AesGcmNonce nonce{};
  util::Bytes zeros(16, 0);
  EXPECT_EQ(util::hex_encode(aes256_gcm_seal(key, nonce, zeros)),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AesGcm, OpensWhatItSeals) {
  auto key = ascii_key("0123456789abcdef0123456789abcdef");
  auto plaintext = random_bytes(1000);
  auto opened = aes256_gcm_open(key, kCountingNonce, aes256_gcm_seal(key, kCountingNonce, plaintext));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plaintext);
}

TEST(AesGcm, RejectsFlippedCiphertextBit) {
  auto key = ascii_key("0123456789abcdef0123456789abcdef");
  auto sealed = aes256_gcm_seal(key, kCountingNonce, util::as_bytes("hello"));
  sealed[0] ^= 1;
  auto opened = aes256_gcm_open(key, kCountingNonce, sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kCrypto);
}

TEST(AesGcm, RejectsWrongKey) {
  auto sealed = aes256_gcm_seal(ascii_key("0123456789abcdef0123456789abcdef"), kCountingNonce,
                                util::as_bytes("hello"));
  EXPECT_FALSE(aes256_gcm_open(ascii_key("fedcba9876543210fedcba9876543210"), kCountingNonce,
                               sealed)
                   .ok());
}

TEST(AesGcm, RejectsInputShorterThanTag) {
  util::Bytes short_input(15, 0);
  auto opened = aes256_gcm_open(AesGcmKey{}, kCountingNonce, short_input);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kTruncated);
}

TEST(RandomAlphanumeric, DrawsOnlyFromTheTokenAlphabet) {
  auto text = random_alphanumeric(4000);
  ASSERT_EQ(text.size(), 4000u);
  EXPECT_TRUE(std::all_of(text.begin(), text.end(),
                          [](char c) { return kAlphanumeric.find(c) != std::string_view::npos; }));
  EXPECT_NE(random_alphanumeric(43), random_alphanumeric(43));
}

TEST(RandomBytes, ReturnsRequestedLengthAndVaries) {
  EXPECT_EQ(random_bytes(12).size(), 12u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

}  // namespace
}  // namespace edgevpn::crypto
