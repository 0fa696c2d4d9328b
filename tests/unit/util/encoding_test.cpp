#include "util/encoding.hpp"

#include <gtest/gtest.h>

#include "util/varint.hpp"

namespace edgevpn::util {
namespace {

TEST(Encoding, HexRoundTripAndRejectsBadInput) {
  const Bytes data{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(hex_encode(data), "0001abff");
  EXPECT_EQ(*hex_decode("0001abff"), data);
  EXPECT_FALSE(hex_decode("abc").ok());
  EXPECT_FALSE(hex_decode("zz").ok());
}

TEST(Encoding, Base64Variants) {
  const Bytes data = to_bytes("hello?>");
  EXPECT_EQ(base64_encode(data), "aGVsbG8/Pg==");
  EXPECT_EQ(base64_encode(data, Base64::kUrl), "aGVsbG8_Pg==");
  EXPECT_EQ(base64_encode(data, Base64::kStandardNoPadding), "aGVsbG8/Pg");
  EXPECT_EQ(*base64_decode("aGVsbG8/Pg=="), data);
  EXPECT_FALSE(base64_decode("aGVsbG8/Pg").ok());
  EXPECT_FALSE(base64_decode("!!!!").ok());
}

TEST(Encoding, Base58KnownVectors) {
  EXPECT_EQ(base58_encode(to_bytes("Hello World!")), "2NEpo7TZRRrLZSi2U");
  EXPECT_EQ(base58_encode(Bytes{0, 0, 0x28, 0x7f, 0xb4, 0xcd}), "11233QC4");
  EXPECT_EQ(*base58_decode("11233QC4"), (Bytes{0, 0, 0x28, 0x7f, 0xb4, 0xcd}));
  EXPECT_EQ(*base58_decode("2NEpo7TZRRrLZSi2U"), to_bytes("Hello World!"));
  EXPECT_TRUE(base58_decode("").ok());
  EXPECT_FALSE(base58_decode("0OIl").ok());
}

TEST(Encoding, Base32Lower) {
  EXPECT_EQ(base32_encode(to_bytes("foobar")), "mzxw6ytboi");
  EXPECT_EQ(*base32_decode("mzxw6ytboi"), to_bytes("foobar"));
  EXPECT_FALSE(base32_decode("1").ok());
}

TEST(Varint, EncodesAndRejectsNonMinimal) {
  Bytes out;
  put_uvarint(out, 300);
  EXPECT_EQ(out, (Bytes{0xac, 0x02}));
  auto v = read_uvarint(out);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, 300u);
  EXPECT_EQ(v->length, 2u);
  EXPECT_EQ(read_uvarint(Bytes{0x80}).error().code, Errc::kTruncated);
  EXPECT_EQ(read_uvarint(Bytes{0x81, 0x00}).error().code, Errc::kMalformed);
  EXPECT_EQ(read_uvarint(Bytes(10, 0xff)).error().code, Errc::kMalformed);
}

}  // namespace
}  // namespace edgevpn::util

namespace edgevpn::util {
namespace {
TEST(Encoding, EmptyInputsDecodeToEmpty) {
  EXPECT_TRUE(hex_decode("")->empty());
  EXPECT_TRUE(base64_decode("")->empty());
  EXPECT_TRUE(base58_decode("")->empty());
  EXPECT_TRUE(base32_decode("")->empty());
}
}  // namespace
}  // namespace edgevpn::util
