// Tests for the keyspace helpers and the k-bucket routing table: placement, ordering, eviction.
#include "p2p/kad/routing_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "kad_test_util.hpp"

namespace edgevpn::p2p::kad {
namespace {

using testing::make_peer;
using testing::make_peer_id;
using namespace std::chrono_literals;

TEST(Keyspace, CommonPrefixLengthCountsLeadingEqualBits) {
  Key a{};
  Key b{};
  EXPECT_EQ(common_prefix_length(a, b), 256);
  b[0] = 0x80;
  EXPECT_EQ(common_prefix_length(a, b), 0);
  b[0] = 0x01;
  EXPECT_EQ(common_prefix_length(a, b), 7);
  b[0] = 0;
  b[3] = 0x10;
  EXPECT_EQ(common_prefix_length(a, b), 27);
}

TEST(Keyspace, XorDistanceOrdersKeysAsBigEndianNumbers) {
  Key target{};
  Key near{};
  Key far{};
  near[31] = 0xff;
  far[30] = 0x01;
  EXPECT_TRUE(closer_to(target, near, far));
  EXPECT_FALSE(closer_to(target, far, near));
  EXPECT_FALSE(closer_to(target, near, near));
  EXPECT_EQ(xor_distance(near, far)[30], 0x01);
  EXPECT_EQ(xor_distance(near, far)[31], 0xff);
}

TEST(Keyspace, PeerKeyIsSha256OfTheIdBytes) {
  const auto id = make_peer_id(1);
  EXPECT_EQ(key_for_peer(id), crypto::sha256(id.bytes()));
}

TEST(RoutingTable, PlacesPeersByCommonPrefixLengthWithUs) {
  RoutingTable table(make_peer_id(0));
  for (int n = 1; n <= 30; ++n) {
    const auto peer = make_peer(n);
    const int expected =
        std::min(common_prefix_length(key_for_peer(make_peer_id(0)), key_for_peer(peer.id)), 255);
    EXPECT_EQ(table.bucket_index(peer.id), expected);
    const size_t before = table.bucket_count(expected);
    auto result = table.update(peer, {});
    if (result.outcome == RoutingTable::Outcome::kAdded) {
      EXPECT_EQ(table.bucket_count(expected), before + 1);
    }
  }
}

TEST(RoutingTable, IgnoresOurselves) {
  RoutingTable table(make_peer_id(0));
  PeerInfo self{make_peer_id(0), {}, ConnectionType::kNotConnected};
  EXPECT_EQ(table.update(self, {}).outcome, RoutingTable::Outcome::kIgnored);
  EXPECT_EQ(table.size(), 0u);
}

TEST(RoutingTable, RefreshUpdatesAddressesWithoutDuplicating) {
  RoutingTable table(make_peer_id(0));
  auto peer = make_peer(1);
  EXPECT_EQ(table.update(peer, {}).outcome, RoutingTable::Outcome::kAdded);
  peer.addrs = {Multiaddr::parse("/ip4/9.9.9.9/tcp/1").value()};
  EXPECT_EQ(table.update(peer, {}).outcome, RoutingTable::Outcome::kRefreshed);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.find(peer.id)->peer.addrs, peer.addrs);
}

TEST(RoutingTable, ClosestReturnsPeersSortedByXorDistance) {
  RoutingTable table(make_peer_id(0));
  std::vector<PeerInfo> added;
  for (int n = 1; n <= 200; ++n) {
    if (table.update(make_peer(n), {}).outcome == RoutingTable::Outcome::kAdded) {
      added.push_back(make_peer(n));
    }
  }
  const Key target = key_for_bytes(util::to_bytes("some key"));
  std::sort(added.begin(), added.end(), [&](const PeerInfo& a, const PeerInfo& b) {
    return closer_to(target, key_for_peer(a.id), key_for_peer(b.id));
  });
  auto closest = table.closest(target, 20);
  ASSERT_EQ(closest.size(), 20u);
  for (size_t i = 0; i < closest.size(); ++i) EXPECT_EQ(closest[i].id, added[i].id) << i;

  const crypto::PeerId excluded = added[0].id;
  auto without = table.closest(target, 20, &excluded);
  EXPECT_EQ(without[0].id, added[1].id);
}

// Peers (by number) that land in bucket 0 of a table owned by peer 0.
std::vector<int> bucket_zero_peers(const RoutingTable& table, size_t count) {
  std::vector<int> out;
  for (int n = 1; out.size() < count; ++n) {
    if (table.bucket_index(make_peer_id(n)) == 0) out.push_back(n);
  }
  return out;
}

TEST(RoutingTable, FullBucketAsksToPingItsLeastRecentlySeenMember) {
  RoutingTable table(make_peer_id(0));
  const auto peers = bucket_zero_peers(table, 23);
  for (size_t i = 0; i < kBucketSize; ++i) {
    EXPECT_EQ(
        table.update(make_peer(peers[i]), util::SteadyTime{} + std::chrono::seconds(i)).outcome,
        RoutingTable::Outcome::kAdded);
  }
  auto full = table.update(make_peer(peers[20]), util::SteadyTime{} + 100s);
  EXPECT_EQ(full.outcome, RoutingTable::Outcome::kPingOldest);
  ASSERT_TRUE(full.to_ping.has_value());
  EXPECT_EQ(full.to_ping->id, make_peer_id(peers[0]));
  EXPECT_FALSE(table.contains(make_peer_id(peers[20])));
  // One eviction at a time.
  EXPECT_EQ(table.update(make_peer(peers[21]), {}).outcome, RoutingTable::Outcome::kIgnored);
  EXPECT_EQ(table.bucket_count(0), kBucketSize);
}

TEST(RoutingTable, AnsweredPingKeepsTheOldMemberAndDropsTheCandidate) {
  RoutingTable table(make_peer_id(0));
  const auto peers = bucket_zero_peers(table, 22);
  for (size_t i = 0; i < kBucketSize; ++i) (void)table.update(make_peer(peers[i]), {});
  (void)table.update(make_peer(peers[20]), {});
  table.on_ping_success(make_peer_id(peers[0]), util::SteadyTime{} + 5s);
  EXPECT_TRUE(table.contains(make_peer_id(peers[0])));
  EXPECT_FALSE(table.contains(make_peer_id(peers[20])));
  // peers[0] is now the most recently seen: the next eviction probes peers[1].
  auto next = table.update(make_peer(peers[21]), {});
  EXPECT_EQ(next.outcome, RoutingTable::Outcome::kPingOldest);
  EXPECT_EQ(next.to_ping->id, make_peer_id(peers[1]));
}

TEST(RoutingTable, HearingFromTheProbedMemberCountsAsAnAnsweredPing) {
  RoutingTable table(make_peer_id(0));
  const auto peers = bucket_zero_peers(table, 22);
  for (size_t i = 0; i < kBucketSize; ++i) (void)table.update(make_peer(peers[i]), {});
  (void)table.update(make_peer(peers[20]), {});
  EXPECT_EQ(table.update(make_peer(peers[0]), {}).outcome, RoutingTable::Outcome::kRefreshed);
  table.remove(make_peer_id(peers[5]), {});
  EXPECT_FALSE(table.contains(make_peer_id(peers[20])));  // the candidate was dropped
  EXPECT_EQ(table.bucket_count(0), kBucketSize - 1);
}

TEST(RoutingTable, FailedPingReplacesTheMemberWithTheCandidate) {
  RoutingTable table(make_peer_id(0));
  const auto peers = bucket_zero_peers(table, 21);
  for (size_t i = 0; i < kBucketSize; ++i) (void)table.update(make_peer(peers[i]), {});
  (void)table.update(make_peer(peers[20]), {});
  table.remove(make_peer_id(peers[0]), {});
  EXPECT_FALSE(table.contains(make_peer_id(peers[0])));
  EXPECT_TRUE(table.contains(make_peer_id(peers[20])));
  EXPECT_EQ(table.bucket_count(0), kBucketSize);
}

}  // namespace
}  // namespace edgevpn::p2p::kad
