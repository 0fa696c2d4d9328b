// TopicSchedule with a fake wall clock: spec 16 vectors, the switch exactly at the epoch boundary,
// both topics and keys during the grace window only, and the DHT rendezvous ring.
#include "ledger/rotation.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace edgevpn::ledger {
namespace {

using std::chrono::seconds;

constexpr int64_t kVectorTime = 1700000000;
// counter 4722222 at period 360: [1699999920, 1700000280)
constexpr int64_t kEpochStart = 1699999920;
constexpr int64_t kEpochEnd = 1700000280;
constexpr const char* kVectorTopic = "50a7d9624e08cedc95f3dea089919925";
constexpr const char* kVectorPublicTopic = "73fd8fc26d531b57cce16d7f78589534";
constexpr const char* kVectorSealKey = "a89467c668bac45b14921cf589c02fb8";
constexpr const char* kVectorRendezvous = "fe808b8a671de5fec4e3d231ed83e9e7";

RotationConfig test_config() {
  RotationConfig config;
  config.crypto.key = "cryptokey";
  config.crypto.interval = 360;
  config.crypto.length = 43;
  config.room = "roomname";
  config.dht.key = "dhtkey";
  config.dht.interval = 360;
  config.dht.length = 43;
  return config;
}

TopicSchedule make_schedule(RotationConfig config = test_config()) {
  auto schedule = TopicSchedule::create(std::move(config));
  EXPECT_TRUE(schedule.ok()) << schedule.error().describe();
  return std::move(schedule).value();
}

util::WallTime at(int64_t unix_seconds) {
  return util::WallTime(std::chrono::seconds(unix_seconds));
}

TEST(TopicSchedule, MatchesSpecVectorsAtTestTime) {
  auto config = test_config();
  config.public_topic = true;
  auto snapshot = make_schedule(config).at(at(kVectorTime));
  EXPECT_EQ(snapshot.current.counter, 4722222u);
  EXPECT_EQ(snapshot.current.topic, kVectorTopic);
  EXPECT_EQ(snapshot.current.public_topic, kVectorPublicTopic);
  EXPECT_EQ(snapshot.current.seal_key, kVectorSealKey);
  EXPECT_EQ(snapshot.current.start, at(kEpochStart));
  EXPECT_EQ(snapshot.current.end, at(kEpochEnd));
  EXPECT_EQ(snapshot.next_boundary, at(kEpochEnd));
  EXPECT_FALSE(snapshot.previous.has_value());  // 80 s into the epoch: past the grace window
  EXPECT_EQ(snapshot.topics, (std::vector<std::string>{kVectorTopic, kVectorPublicTopic}));
  ASSERT_FALSE(snapshot.rendezvous_ring.empty());
  EXPECT_EQ(snapshot.rendezvous_ring.front(), kVectorRendezvous);
}

TEST(TopicSchedule, TopicChangesExactlyAtBoundary) {
  auto schedule = make_schedule();
  auto just_before = at(kEpochEnd) - std::chrono::nanoseconds(1);
  EXPECT_EQ(schedule.at(just_before).current.topic, kVectorTopic);
  EXPECT_EQ(schedule.at(just_before).current.seal_key, kVectorSealKey);
  auto after = schedule.at(at(kEpochEnd));
  EXPECT_NE(after.current.topic, kVectorTopic);
  EXPECT_NE(after.current.seal_key, kVectorSealKey);
  EXPECT_EQ(after.current.topic, ledger_topic("roomname", test_config().crypto, kEpochEnd));
  EXPECT_EQ(after.current.counter, 4722223u);
  EXPECT_EQ(after.next_boundary, at(kEpochEnd + 360));
}

TEST(TopicSchedule, SubscribesToBothTopicsOnlyDuringGrace) {
  auto schedule = make_schedule();
  auto inside = schedule.at(at(kEpochEnd + 29));
  ASSERT_TRUE(inside.previous.has_value());
  EXPECT_EQ(inside.previous->topic, kVectorTopic);
  EXPECT_EQ(inside.previous->seal_key, kVectorSealKey);
  EXPECT_EQ(inside.topics, (std::vector<std::string>{inside.current.topic, kVectorTopic}));
  EXPECT_EQ(inside.seal_keys().previous, std::optional<std::string>(kVectorSealKey));
  EXPECT_EQ(inside.next_change, at(kEpochEnd + 30));  // unsubscribe from the old topic then

  auto outside = schedule.at(at(kEpochEnd + 30));
  EXPECT_FALSE(outside.previous.has_value());
  EXPECT_EQ(outside.topics, (std::vector<std::string>{outside.current.topic}));
  EXPECT_FALSE(outside.seal_keys().previous.has_value());
  EXPECT_EQ(outside.next_change, at(kEpochEnd + 360));
}

TEST(TopicSchedule, ZeroGraceReproducesEdgeVpnsHardSwitch) {
  auto config = test_config();
  config.grace = seconds(0);
  auto snapshot = make_schedule(config).at(at(kEpochEnd));
  EXPECT_FALSE(snapshot.previous.has_value());
  EXPECT_EQ(snapshot.topics.size(), 1u);
}

TEST(TopicSchedule, GraceLongerThanIntervalEndsAtNextBoundary) {
  auto config = test_config();
  config.crypto.interval = 10;
  config.grace = seconds(30);
  auto snapshot = make_schedule(config).at(at(1000005));
  ASSERT_TRUE(snapshot.previous.has_value());
  EXPECT_EQ(snapshot.next_change, at(1000010));
}

TEST(TopicSchedule, RendezvousRingHoldsCurrentAndPrevious) {
  auto schedule = make_schedule();
  auto ring = schedule.rendezvous_ring(at(kVectorTime));
  ASSERT_EQ(ring.size(), 2u);
  EXPECT_EQ(ring[0], kVectorRendezvous);
  EXPECT_EQ(ring[1], dht_rendezvous(test_config().dht, "", kVectorTime - 360));
  EXPECT_NE(ring[0], ring[1]);
}

TEST(TopicSchedule, StaticRendezvousRingHasOneEntry) {
  auto config = test_config();
  config.dht.key.clear();
  config.rendezvous = "static-rendezvous";
  auto ring = make_schedule(config).rendezvous_ring(at(kVectorTime));
  EXPECT_EQ(ring, (std::vector<std::string>{"static-rendezvous"}));
}

TEST(TopicSchedule, RefusesNonPositiveIntervalsAndNegativeGrace) {
  auto config = test_config();
  config.crypto.interval = 0;
  EXPECT_FALSE(TopicSchedule::create(config).ok());
  config = test_config();
  config.dht.interval = 0;
  EXPECT_FALSE(TopicSchedule::create(config).ok());
  config.dht.key.clear();  // static rendezvous: the DHT interval is unused
  EXPECT_TRUE(TopicSchedule::create(config).ok());
  config = test_config();
  config.grace = seconds(-1);
  EXPECT_FALSE(TopicSchedule::create(config).ok());
}

TEST(TopicSchedule, FirstEpochHasNoPrevious) {
  auto snapshot = make_schedule().at(at(5));
  EXPECT_EQ(snapshot.current.counter, 0u);
  EXPECT_FALSE(snapshot.previous.has_value());
}

}  // namespace
}  // namespace edgevpn::ledger
