// EdgeVPN's TOTP variant against the vectors of spec section 16 (computed with EdgeVPN's Go code).
#include "ledger/otp.hpp"

#include <gtest/gtest.h>

namespace edgevpn::ledger {
namespace {

constexpr int64_t kVectorTime = 1700000000;

TEST(Totp, CounterIsUnixTimeDividedByPeriod) {
  EXPECT_EQ(totp_counter(kVectorTime, 360), 4722222u);
  EXPECT_EQ(totp_counter(kVectorTime, 9000), 188888u);
}

TEST(Totp, MatchesVectorFor43DigitsPeriod360) {
  EXPECT_EQ(totp("testkey", 43, 360, kVectorTime), "L+mSGp5Ceo1Gz3kX1be1LngGRYgIY5+BGEVyVhQqI/A");
}

TEST(Totp, MatchesVectorFor43DigitsPeriod9000) {
  EXPECT_EQ(totp("testkey", 43, 9000, kVectorTime), "J8p648Vg5/afwXD3VKObS4pAKed6Z24n1UyaQGv3XY0");
}

TEST(Totp, ZeroOrNegativeDigitsMeanSix) {
  EXPECT_EQ(totp("testkey", 6, 30, kVectorTime), "MKoaz/");
  EXPECT_EQ(totp("testkey", 0, 30, kVectorTime), "MKoaz/");
  EXPECT_EQ(totp("testkey", -3, 30, kVectorTime), "MKoaz/");
}

TEST(Totp, ShorterCodeIsPrefixOfLonger) {
  EXPECT_EQ(totp("testkey", 12, 360, kVectorTime), "L+mSGp5Ceo1G");
}

TEST(Totp, DigitsAbove44AreClampedToWholeBase64) {
  auto code = totp("testkey", 100, 360, kVectorTime);
  EXPECT_EQ(code.size(), 44u);
  EXPECT_EQ(code.back(), '=');
  EXPECT_EQ(code.substr(0, 43), "L+mSGp5Ceo1Gz3kX1be1LngGRYgIY5+BGEVyVhQqI/A");
}

TEST(Totp, SameWithinPeriodAndChangesAtBoundary) {
  int64_t start = 360 * 4722222;
  EXPECT_EQ(totp("k", 43, 360, start), totp("k", 43, 360, start + 359));
  EXPECT_NE(totp("k", 43, 360, start), totp("k", 43, 360, start + 360));
}

TEST(Totp, NonPositivePeriodDoesNotTrap) {
  EXPECT_EQ(totp_counter(100, 0), 100u);
  EXPECT_EQ(totp("k", 6, -5, 100).size(), 6u);
}

}  // namespace
}  // namespace edgevpn::ledger
