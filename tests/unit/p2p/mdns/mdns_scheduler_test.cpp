// Tests for mDNS send scheduling: query back-off, announcements, response delay and rate limit.
#include "p2p/mdns/mdns_scheduler.hpp"

#include <gtest/gtest.h>

#include <random>

namespace edgevpn::p2p::mdns {
namespace {

using namespace std::chrono_literals;

RandomUniform seeded(uint32_t seed) {
  auto rng = std::make_shared<std::mt19937>(seed);
  return [rng](uint32_t bound) { return static_cast<uint32_t>((*rng)() % bound); };
}

const util::SteadyTime kStart = util::SteadyTime{} + 1h;

TEST(MdnsScheduler, QueriesAtOnceThenAfterFourSecondsThenBacksOffToAMinute) {
  MdnsScheduler scheduler(kStart, seeded(1));
  EXPECT_TRUE(scheduler.query_due(kStart));
  scheduler.on_query_sent(kStart);
  EXPECT_FALSE(scheduler.query_due(kStart + 3999ms));
  EXPECT_TRUE(scheduler.query_due(kStart + 4s));
  util::SteadyTime now = kStart + 4s;
  auto previous = scheduler.query_interval();
  for (int i = 0; i < 20; ++i) {
    scheduler.on_query_sent(now);
    const auto interval = scheduler.query_interval();
    if (previous < 60s) {
      EXPECT_GE(interval, std::min<std::chrono::milliseconds>(previous * 3 / 2, 60s));
      EXPECT_LE(interval, std::min<std::chrono::milliseconds>(previous * 5 / 2, 60s));
    }
    EXPECT_LE(interval, 60s);
    EXPECT_FALSE(scheduler.query_due(now + interval - 1ms));
    now += interval;
    EXPECT_TRUE(scheduler.query_due(now));
    previous = interval;
  }
  EXPECT_EQ(scheduler.query_interval(), 60s);
}

TEST(MdnsScheduler, AnnouncesTwiceOneSecondApart) {
  MdnsScheduler scheduler(kStart, seeded(2));
  EXPECT_TRUE(scheduler.announce_due(kStart));
  scheduler.on_announce_sent(kStart);
  EXPECT_FALSE(scheduler.announce_due(kStart + 999ms));
  EXPECT_TRUE(scheduler.announce_due(kStart + 1s));
  scheduler.on_announce_sent(kStart + 1s);
  EXPECT_FALSE(scheduler.announce_due(kStart + 1h));
}

TEST(MdnsScheduler, DelaysResponsesAndMergesQueriesArrivingMeanwhile) {
  MdnsScheduler scheduler(kStart, seeded(3));
  scheduler.on_announce_sent(kStart);
  scheduler.on_announce_sent(kStart + 1s);
  const util::SteadyTime query_at = kStart + 10s;
  scheduler.on_query_received(query_at);
  EXPECT_FALSE(scheduler.response_due(query_at + 19ms));
  EXPECT_TRUE(scheduler.response_due(query_at + 120ms));
  auto first_due = [&] {
    for (auto at = query_at; at <= query_at + 200ms; at += 1ms) {
      if (scheduler.response_due(at)) return at;
    }
    return util::SteadyTime{};
  };
  const util::SteadyTime due = first_due();
  EXPECT_GE(due, query_at + 20ms);
  EXPECT_LE(due, query_at + 120ms);
  scheduler.on_query_received(query_at + 5ms);  // aggregated into the pending response
  EXPECT_EQ(first_due(), due);
  scheduler.on_response_sent(due);
  EXPECT_FALSE(scheduler.response_due(due + 1h));
}

TEST(MdnsScheduler, MulticastsAtMostOncePerSecond) {
  MdnsScheduler scheduler(kStart, seeded(4));
  scheduler.on_announce_sent(kStart);
  scheduler.on_announce_sent(kStart + 1s);
  scheduler.on_query_received(kStart + 1100ms);
  EXPECT_FALSE(scheduler.response_due(kStart + 1900ms));
  EXPECT_TRUE(scheduler.response_due(kStart + 2s));
}

TEST(MdnsScheduler, RestartQueriesAndAnnouncesAgain) {
  MdnsScheduler scheduler(kStart, seeded(5));
  scheduler.on_query_sent(kStart);
  scheduler.on_query_sent(kStart + 4s);
  scheduler.on_announce_sent(kStart);
  scheduler.on_announce_sent(kStart + 1s);
  scheduler.restart(kStart + 1min);
  EXPECT_TRUE(scheduler.query_due(kStart + 1min));
  EXPECT_EQ(scheduler.query_interval(), 4s);
  EXPECT_TRUE(scheduler.announce_due(kStart + 1min));
}

}  // namespace
}  // namespace edgevpn::p2p::mdns
