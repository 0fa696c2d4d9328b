// Announce policy on a fake steady clock: publish on change, join and lagging peers; stay quiet
// when idle (at most 1/20 of EdgeVPN's traffic); suppression; EdgeVPN's ~10 s legacy schedule.
#include "ledger/sync_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace edgevpn::ledger {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const util::SteadyTime kStart = util::SteadyTime{} + std::chrono::hours(1);

// u = 0.5 everywhere: no jitter on the periodic delay, debounce x 1.5.
std::function<double()> middle() {
  return [] { return 0.5; };
}

// The defaults with a 1 s debounce, so the figures below read easily.
SyncPolicyOptions opts() {
  SyncPolicyOptions options;
  options.debounce = seconds(1);
  return options;
}

Block block(int64_t index, std::initializer_list<std::pair<const char*, const char*>> keys) {
  Block b;
  b.index = index;
  for (const auto& [key, value] : keys) b.storage["machines"][key].value = value;
  b.hash = block_checksum(b);
  return b;
}

// Drives the policy as the I/O layer would: sleep to next_deadline, publish when due.
uint64_t run_idle(SyncPolicy& policy, util::SteadyTime from, nanoseconds duration) {
  util::SteadyTime now = from;
  const util::SteadyTime end = from + duration;
  uint64_t publishes = 0;
  while (true) {
    now = std::max(now, policy.next_deadline());
    if (now > end) break;
    if (policy.due(now)) {
      policy.on_published(now);
      ++publishes;
    }
  }
  return publishes;
}

TEST(SyncPolicy, PublishesImmediatelyOnLocalChange) {
  SyncPolicy policy(opts(), kStart, middle());
  EXPECT_FALSE(policy.due(kStart));
  policy.on_local_change(kStart + seconds(3));
  EXPECT_EQ(policy.next_deadline(), kStart + seconds(3));
  EXPECT_TRUE(policy.due(kStart + seconds(3)));
  EXPECT_EQ(policy.reason(kStart + seconds(3)), SyncReason::kLocalChange);
  policy.on_published(kStart + seconds(3));
  EXPECT_FALSE(policy.due(kStart + seconds(4)));
}

TEST(SyncPolicy, HeartbeatRefreshWaitsForTheBackgroundInterval) {
  SyncPolicyOptions options = opts();
  options.background_interval = seconds(240);
  SyncPolicy policy(options, kStart, middle());
  // Before anything was published a refresh goes out at once (a new node announces itself).
  policy.on_background_change(kStart);
  EXPECT_TRUE(policy.due(kStart));
  policy.on_published(kStart);
  // Later refreshes wait until 240 s after that publish; a second refresh keeps the deadline.
  policy.on_background_change(kStart + seconds(120));
  EXPECT_EQ(policy.next_deadline(), kStart + seconds(240));
  EXPECT_FALSE(policy.due(kStart + seconds(239)));
  policy.on_background_change(kStart + seconds(200));
  EXPECT_TRUE(policy.due(kStart + seconds(240)));
  EXPECT_EQ(policy.reason(kStart + seconds(240)), SyncReason::kLocalChange);
}

TEST(SyncPolicy, HeartbeatRefreshRidesOnAnEarlierPublish) {
  SyncPolicyOptions options = opts();
  options.background_interval = seconds(240);
  SyncPolicy policy(options, kStart, middle());
  policy.on_published(kStart);
  policy.on_background_change(kStart + seconds(120));
  policy.on_local_change(kStart + seconds(130));  // a real write goes out now, with the refresh
  EXPECT_TRUE(policy.due(kStart + seconds(130)));
  policy.on_published(kStart + seconds(130));
  EXPECT_FALSE(policy.due(kStart + seconds(240)));
}

TEST(SyncPolicy, HeartbeatRefreshIsImmediateInLegacyModeOrWithoutAnInterval) {
  SyncPolicy plain(opts(), kStart, middle());
  plain.on_published(kStart);
  plain.on_background_change(kStart + seconds(1));
  EXPECT_TRUE(plain.due(kStart + seconds(1)));
  SyncPolicyOptions options = opts();
  options.background_interval = seconds(240);
  options.legacy_compat = true;
  SyncPolicy legacy(options, kStart, middle());
  legacy.on_published(kStart);
  legacy.on_background_change(kStart + seconds(1));
  EXPECT_TRUE(legacy.due(kStart + seconds(1)));
}

TEST(SyncPolicy, StaysQuietWhenIdleUntilLongInterval) {
  SyncPolicy policy(opts(), kStart, middle());
  EXPECT_EQ(policy.next_deadline(), kStart + minutes(5));
  EXPECT_FALSE(policy.due(kStart + minutes(5) - milliseconds(1)));
  EXPECT_TRUE(policy.due(kStart + minutes(5)));
  EXPECT_EQ(policy.reason(kStart + minutes(5)), SyncReason::kPeriodic);
}

TEST(SyncPolicy, IdleTrafficIsAtMostOneTwentiethOfEdgeVpns) {
  SyncPolicy ours(opts(), kStart, middle());
  SyncPolicyOptions legacy_options = opts();
  legacy_options.legacy_compat = true;
  SyncPolicy legacy(legacy_options, kStart, middle());
  auto quiet = run_idle(ours, kStart, std::chrono::hours(1));
  auto edgevpn = run_idle(legacy, kStart, std::chrono::hours(1));
  EXPECT_EQ(quiet, 12u);
  EXPECT_GE(edgevpn, 355u);
  EXPECT_LE(quiet * 20, edgevpn);
}

TEST(SyncPolicy, IdleNetworkOfTenPublishesAboutOncePerPeriodInTotal) {
  // Ten nodes with the same ledger: suppression leaves roughly one full sync per period for the
  // whole network, where EdgeVPN sends one per node every ~10 s (3600 in an hour).
  constexpr int kNodes = 10;
  std::vector<SyncPolicy> nodes;
  for (int i = 0; i < kNodes; ++i) {
    uint64_t state = 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(i + 1);
    nodes.emplace_back(opts(), kStart, [state]() mutable {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
    });
  }
  const auto ledger = block(3, {{"a", "1"}});
  const util::SteadyTime end = kStart + std::chrono::hours(1);
  uint64_t total = 0;
  while (true) {
    size_t next = 0;
    for (size_t i = 1; i < nodes.size(); ++i) {
      if (nodes[i].next_deadline() < nodes[next].next_deadline()) next = i;
    }
    util::SteadyTime now = nodes[next].next_deadline();
    if (now > end) break;
    if (!nodes[next].due(now)) continue;
    nodes[next].on_published(now);
    ++total;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (i != next) nodes[i].on_received(ledger, ledger, now);
    }
  }
  EXPECT_GE(total, 10u);  // the safety net still runs
  EXPECT_LE(total, 24u);
}

TEST(SyncPolicy, LegacyModeFollowsEdgeVpnBackoffTickerCappedAtTenSeconds) {
  SyncPolicyOptions options = opts();
  options.legacy_compat = true;
  SyncPolicy policy(options, kStart, middle());
  EXPECT_TRUE(policy.due(kStart));  // EdgeVPN's ticker fires at once
  policy.on_published(kStart);
  auto first = policy.next_deadline() - kStart;
  EXPECT_NEAR(std::chrono::duration<double>(first).count(), 5.0, 0.01);
  util::SteadyTime now = policy.next_deadline();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(policy.due(now));
    policy.on_published(now);
    auto gap = policy.next_deadline() - now;
    EXPECT_NEAR(std::chrono::duration<double>(gap).count(), 10.0, 0.01);
    now = policy.next_deadline();
  }
}

TEST(SyncPolicy, LegacyModeIsNeverSuppressed) {
  SyncPolicyOptions options = opts();
  options.legacy_compat = true;
  SyncPolicy policy(options, kStart, middle());
  auto ours = block(1, {{"a", "1"}});
  policy.on_received(ours, ours, kStart);
  EXPECT_TRUE(policy.due(kStart));
}

TEST(SyncPolicy, TurningLegacyOnPublishesAtOnce) {
  SyncPolicy policy(opts(), kStart, middle());
  EXPECT_FALSE(policy.due(kStart + seconds(1)));
  policy.set_legacy_compat(true, kStart + seconds(1));
  EXPECT_TRUE(policy.legacy_compat());
  EXPECT_TRUE(policy.due(kStart + seconds(1)));
  policy.set_legacy_compat(false, kStart + seconds(2));
  EXPECT_EQ(policy.next_deadline(), kStart + seconds(2) + minutes(5));
}

TEST(SyncPolicy, PeerJoinRightAfterAPublishIsNotHeldBackByTheReplyGap) {
  SyncPolicy policy(opts(), kStart, middle());
  policy.on_published(kStart);
  policy.on_peer_joined(kStart + milliseconds(100));
  EXPECT_TRUE(policy.due(kStart + milliseconds(1600)));
  EXPECT_EQ(policy.reason(kStart + milliseconds(1600)), SyncReason::kPeerJoined);
}

// A new peer (a service client) waits U(250 ms, 500 ms) for the ledger by default.
TEST(SyncPolicy, DefaultJoinDebounceIsAQuarterSecond) {
  SyncPolicy policy({}, kStart, middle());
  policy.on_peer_joined(kStart);
  EXPECT_EQ(policy.next_deadline(), kStart + milliseconds(375));
  EXPECT_FALSE(policy.due(kStart + milliseconds(374)));
  EXPECT_TRUE(policy.due(kStart + milliseconds(375)));
}

TEST(SyncPolicy, PeerJoinPublishesAfterDebounce) {
  SyncPolicy policy(opts(), kStart, middle());
  policy.on_peer_joined(kStart);
  EXPECT_EQ(policy.next_deadline(), kStart + milliseconds(1500));
  EXPECT_FALSE(policy.due(kStart + milliseconds(1499)));
  EXPECT_TRUE(policy.due(kStart + milliseconds(1500)));
  EXPECT_EQ(policy.reason(kStart + milliseconds(1500)), SyncReason::kPeerJoined);
}

TEST(SyncPolicy, BurstOfJoinsCoalescesIntoOnePublish) {
  SyncPolicy policy(opts(), kStart, middle());
  for (int i = 0; i < 10; ++i) policy.on_peer_joined(kStart + milliseconds(100 * i));
  EXPECT_EQ(policy.next_deadline(), kStart + milliseconds(1500));
  EXPECT_EQ(run_idle(policy, kStart, minutes(4)), 1u);
}

TEST(SyncPolicy, RepliesToPeerThatIsBehind) {
  SyncPolicy policy(opts(), kStart, middle());
  auto ours = block(5, {{"a", "1"}, {"b", "2"}});
  auto theirs = block(3, {{"a", "1"}});
  policy.on_received(theirs, ours, kStart);
  EXPECT_TRUE(policy.due(kStart + milliseconds(1500)));
  EXPECT_EQ(policy.reason(kStart + milliseconds(1500)), SyncReason::kPeerBehind);
}

TEST(SyncPolicy, IgnoresPeerThatIsAheadOrEqual) {
  SyncPolicy policy(opts(), kStart, middle());
  auto ours = block(5, {{"a", "1"}});
  policy.on_received(block(9, {{"a", "1"}, {"b", "2"}}), ours, kStart);
  policy.on_received(block(2, {{"a", "1"}}), ours, kStart);  // older but same contents
  EXPECT_EQ(policy.next_deadline(), kStart + minutes(5));
}

TEST(SyncPolicy, RepliesWhenPeerLacksOurEntriesEvenAtHigherIndex) {
  // A per-key merger at a higher height still misses our key "b".
  auto ours = block(5, {{"a", "1"}, {"b", "2"}});
  auto theirs = block(9, {{"a", "1"}, {"c", "3"}});
  EXPECT_TRUE(sender_needs_ours(theirs, ours));
  // Same keys, ours at a higher version but a lower height: a per-key merger takes it.
  auto newer = block(4, {{"a", "1"}, {"b", "2"}});
  newer.storage["machines"]["a"].version = 7;
  auto older = block(9, {{"a", "0"}, {"b", "2"}});
  older.storage["machines"]["a"].version = 3;
  EXPECT_TRUE(sender_needs_ours(older, newer));
  // The other way round ours is both lower and older: nothing to teach.
  auto lower_older = block(3, {{"a", "0"}, {"b", "2"}});
  lower_older.storage["machines"]["a"].version = 3;
  EXPECT_FALSE(sender_needs_ours(newer, lower_older));
}

TEST(SyncPolicy, RepliesRespectMinimumGapAfterPublish) {
  SyncPolicy policy(opts(), kStart, middle());
  policy.on_local_change(kStart);
  policy.on_published(kStart);
  policy.on_received(block(0, {}), block(1, {{"a", "1"}}), kStart + seconds(1));
  EXPECT_EQ(policy.next_deadline(), kStart + seconds(5));
}

TEST(SyncPolicy, SkipsReplyWhenAnotherNodeAnsweredFirst) {
  SyncPolicy policy(opts(), kStart, middle());
  auto ours = block(5, {{"a", "1"}});
  policy.on_peer_joined(kStart);
  policy.on_received(ours, ours, kStart + seconds(1));  // another node published our ledger
  EXPECT_FALSE(policy.due(kStart + seconds(2)));
  EXPECT_EQ(policy.suppressed(), 1u);
  EXPECT_EQ(policy.next_deadline(), kStart + minutes(5));
}

TEST(SyncPolicy, LocalChangeIsNeverSuppressed) {
  SyncPolicy policy(opts(), kStart, middle());
  auto ours = block(5, {{"a", "1"}});
  policy.on_peer_joined(kStart);
  policy.on_local_change(kStart + milliseconds(10));
  policy.on_received(ours, ours, kStart + milliseconds(20));
  EXPECT_TRUE(policy.due(kStart + milliseconds(20)));
}

TEST(SyncPolicy, PeriodicSyncSuppressedAfterHearingSameLedger) {
  SyncPolicy policy(opts(), kStart, middle());
  auto ours = block(5, {{"a", "1"}});
  policy.on_received(ours, ours, kStart + minutes(2));
  EXPECT_FALSE(policy.due(kStart + minutes(5)));
  EXPECT_EQ(policy.next_deadline(), kStart + minutes(10));
  EXPECT_TRUE(policy.due(kStart + minutes(10)));  // heard nothing this period
}

TEST(SyncPolicy, JitterSpreadsPeriodicDeadline) {
  SyncPolicy low(opts(), kStart, [] { return 0.0; });
  SyncPolicy high(opts(), kStart, [] { return 0.999; });
  EXPECT_EQ(low.next_deadline(), kStart + seconds(270));
  EXPECT_GT(high.next_deadline(), kStart + seconds(329));
}

}  // namespace
}  // namespace edgevpn::ledger
