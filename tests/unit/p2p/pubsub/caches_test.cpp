// The seen cache (time-based dedupe) and the message cache (windows for gossip and IWANT).
#include <gtest/gtest.h>

#include "p2p/pubsub/message_cache.hpp"
#include "p2p/pubsub/seen_cache.hpp"
#include "pubsub_test_network.hpp"

namespace edgevpn::p2p::pubsub {
namespace {

using namespace std::chrono_literals;

TEST(SeenCache, ForgetsIdsAfterTheirTtl) {
  SeenCache seen(120s);
  util::SteadyTime t0{};
  EXPECT_TRUE(seen.insert("a", t0));
  EXPECT_FALSE(seen.insert("a", t0 + 10s));
  EXPECT_TRUE(seen.insert("b", t0 + 60s));
  seen.expire(t0 + 119s);
  EXPECT_TRUE(seen.contains("a"));
  seen.expire(t0 + 120s);
  EXPECT_FALSE(seen.contains("a"));
  EXPECT_TRUE(seen.contains("b"));
  seen.expire(t0 + 181s);
  EXPECT_EQ(seen.size(), 0u);
}

pb::Message message_in(const std::string& topic) {
  pb::Message message;
  message.set_topic(topic);
  return message;
}

TEST(MessageCache, GossipsOnlyRecentWindowsOfTheTopic) {
  MessageCache cache(5, 3);
  cache.put("a1", message_in("a"));
  cache.put("b1", message_in("b"));
  cache.shift();
  cache.put("a2", message_in("a"));
  EXPECT_EQ(cache.gossip_ids("a"), (std::vector<MessageId>{"a2", "a1"}));
  cache.shift();
  cache.shift();
  EXPECT_EQ(cache.gossip_ids("a"), (std::vector<MessageId>{"a2"}));
  EXPECT_NE(cache.get("a1"), nullptr) << "still held for IWANT";
  cache.shift();
  cache.shift();
  EXPECT_EQ(cache.get("a1"), nullptr);
  EXPECT_NE(cache.get("a2"), nullptr);
}

TEST(MessageCache, CountsRequestsPerPeer) {
  MessageCache cache(5, 3);
  cache.put("a1", message_in("a"));
  const auto peer = testing::peer_of(testing::test_key(3));
  const auto other = testing::peer_of(testing::test_key(4));
  size_t count = 0;
  ASSERT_NE(cache.get_for_peer("a1", peer, count), nullptr);
  EXPECT_EQ(count, 1u);
  cache.get_for_peer("a1", peer, count);
  EXPECT_EQ(count, 2u);
  cache.get_for_peer("a1", other, count);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(cache.get_for_peer("zz", peer, count), nullptr);
}

}  // namespace
}  // namespace edgevpn::p2p::pubsub
