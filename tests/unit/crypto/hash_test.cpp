// SHA-256, HMAC-SHA256 and MD5 against published test vectors (FIPS 180, RFC 4231, RFC 1321).
#include "crypto/hash.hpp"

#include <gtest/gtest.h>

#include "util/encoding.hpp"

namespace edgevpn::crypto {
namespace {

TEST(Sha256, MatchesFipsVectorForAbc) {
  EXPECT_EQ(util::hex_encode(sha256(util::as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, HashesEmptyInput) {
  EXPECT_EQ(util::hex_encode(sha256({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HmacSha256, MatchesRfc4231Case2) {
  EXPECT_EQ(util::hex_encode(hmac_sha256(util::as_bytes("Jefe"),
                                         util::as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, AcceptsKeysLongerThanTheBlock) {
  // RFC 4231 case 6: 131-byte key of 0xaa.
  util::Bytes key(131, 0xaa);
  EXPECT_EQ(util::hex_encode(hmac_sha256(
                key, util::as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Md5Hex, MatchesRfc1321Vectors) {
  EXPECT_EQ(md5_hex({}), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex(util::as_bytes("abc")), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace edgevpn::crypto
