// Backoff ticker schedule: immediate first tick, 5 s doubling, capped, jittered by U(0.5, 1.5).
#include "ledger/backoff_ticker.hpp"

#include <gtest/gtest.h>

namespace edgevpn::ledger {
namespace {

using namespace std::chrono_literals;

TEST(BackoffInterval, DoublesFromFiveSecondsUpToTheMaximum) {
  BackoffSettings settings;
  settings.max = 120s;
  EXPECT_EQ(backoff_interval(0, settings), 5s);
  EXPECT_EQ(backoff_interval(1, settings), 10s);
  EXPECT_EQ(backoff_interval(2, settings), 20s);
  EXPECT_EQ(backoff_interval(3, settings), 40s);
  EXPECT_EQ(backoff_interval(4, settings), 80s);
  EXPECT_EQ(backoff_interval(5, settings), 120s);
  EXPECT_EQ(backoff_interval(1000, settings), 120s);
}

TEST(BackoffInterval, InitialAboveMaximumIsUsedOnceThenMaximum) {
  BackoffSettings settings;
  settings.max = 2s;
  EXPECT_EQ(backoff_interval(0, settings), 5s);
  EXPECT_EQ(backoff_interval(1, settings), 2s);
}

TEST(BackoffDelay, JitterSpansHalfToOneAndAHalfTimesTheInterval) {
  BackoffSettings settings;
  settings.max = 10s;
  EXPECT_EQ(backoff_delay(0, settings, 0.0), 2500ms);
  EXPECT_EQ(backoff_delay(0, settings, 0.5), std::chrono::nanoseconds(5000000000));
  auto high = backoff_delay(0, settings, 0.999999999);
  EXPECT_GE(high, 7499ms);
  EXPECT_LE(high, 7500ms);
  EXPECT_EQ(backoff_delay(9, settings, 0.0), 5s);  // steady state: 0.5M..1.5M
}

TEST(BackoffTicker, FiresImmediatelyThenFollowsSchedule) {
  auto ticker = BackoffTicker::with_max(10s, [] { return 0.0; });
  EXPECT_EQ(ticker.next_delay(), 0s);
  EXPECT_EQ(ticker.next_delay(), 2500ms);
  EXPECT_EQ(ticker.next_delay(), 5s);
  EXPECT_EQ(ticker.next_delay(), 5s);
  ticker.reset();
  EXPECT_EQ(ticker.next_delay(), 0s);
}

}  // namespace
}  // namespace edgevpn::ledger
