// LedgerState: write path, EdgeVPN's merge cases (spec 13: merge_test, legacy_entry_test,
// ledger_test, reaper_test), readers, leader election and heartbeats.
#include "ledger/ledger_state.hpp"

#include <gtest/gtest.h>

#include "crypto/peer_id.hpp"
#include "entry_builder.hpp"
#include "ledger/go_json.hpp"
#include "signed_peer.hpp"

namespace edgevpn::ledger {
namespace {


using namespace std::chrono_literals;

const util::WallTime kNow = util::WallTime(std::chrono::seconds(1767225600));  // 2026-01-01
constexpr size_t kMaxPayload = 1 << 20;
constexpr const char* kIp = "10.1.0.1";

Entry signed_entry(const Peer& peer, std::string_view bucket, std::string_view key,
                   std::string value, uint64_t version, util::WallTime now = kNow) {
  return signed_entry_at(peer, bucket, key, std::move(value), version, now);
}

Entry signed_tombstone(const Peer& peer, std::string_view bucket, std::string_view key,
                       uint64_t version) {
  Entry entry = make_entry("", "", version, unix_seconds(kNow), true);
  sign_entry(bucket, key, entry, peer.key, peer.id);
  return entry;
}

std::string machine(const std::string& peer_id, const std::string& address) {
  return go_encode_string_map({{"PeerID", peer_id}, {"Address", address}});
}

Storage heartbeat(const Peer& peer, util::WallTime now = kNow) {
  return {{"healthcheck",
           {{peer.id, signed_entry(peer, "healthcheck", peer.id, go_quote(format_rfc3339_utc(now)),
                                   1, now)}}}};
}

// Feeds a block carrying `entries` through the same wire path as gossip (gzip + JSON).
MergeOutcome feed(LedgerState& ledger, Storage entries, util::WallTime now = kNow) {
  Block block = next_block(ledger.last_block(), std::move(entries), now);
  auto outcome = ledger.receive_payload(encode_block_payload(block), kMaxPayload, now);
  EXPECT_TRUE(outcome.ok());
  return outcome.ok() ? *outcome : MergeOutcome{};
}

LedgerState make_ledger(OwnershipMode mode, std::chrono::seconds ttl = 60s) {
  return LedgerState(LedgerOptions::for_mode(mode, ttl), kNow);
}

std::string stored_peer(const LedgerState& ledger, std::string_view bucket, std::string_view key) {
  auto value = ledger.get(bucket, key);
  return value ? peer_id_field(*value) : std::string("<absent>");
}

std::string stored_owner(const LedgerState& ledger, const std::string& bucket,
                         const std::string& key) {
  return ledger.last_block().storage.at(bucket).at(key).owner;
}

// --- write path -------------------------------------------------------------------------------

TEST(LedgerWrite, StartsAtGenesis) {
  auto ledger = make_ledger(OwnershipMode::kOff);
  EXPECT_EQ(ledger.index(), 0);
  EXPECT_EQ(ledger.last_block().hash, kZeroBlockHash);
}

TEST(LedgerWrite, UnsignedAddMakesBlockOnlyWhenSomethingChanged) {
  auto ledger = make_ledger(OwnershipMode::kOff);
  EXPECT_TRUE(ledger.add("custom", "k", "\"v\"", kNow));
  EXPECT_EQ(ledger.index(), 1);
  EXPECT_EQ(ledger.last_block().prev_hash, kZeroBlockHash);
  EXPECT_EQ(ledger.last_block().hash, block_checksum(ledger.last_block()));
  EXPECT_FALSE(ledger.add("custom", "k", "\"v\"", kNow + 1s));
  EXPECT_EQ(ledger.index(), 1);
  EXPECT_TRUE(ledger.last_block().storage.at("custom").at("k").is_legacy());
  EXPECT_EQ(*ledger.get("custom", "k"), "\"v\"");
  EXPECT_TRUE(ledger.holds("custom", "k", "\"v\""));
}

TEST(LedgerWrite, UnsignedDeleteRemovesKeyAndBucket) {
  auto ledger = make_ledger(OwnershipMode::kOff);
  ledger.add("b", BucketValues{{"k1", "1"}, {"k2", "2"}}, kNow);
  EXPECT_TRUE(ledger.remove("b", "k1", kNow));
  EXPECT_FALSE(ledger.remove("b", "k1", kNow));
  EXPECT_FALSE(ledger.get("b", "k1").has_value());
  EXPECT_TRUE(ledger.remove_bucket("b", kNow));
  EXPECT_FALSE(ledger.remove_bucket("b", kNow));
  EXPECT_EQ(ledger.last_block().storage.count("b"), 0u);
  EXPECT_EQ(ledger.index(), 3);
}

TEST(LedgerWrite, SignedAddVersionsWithWallClockAndDoesNotChurn) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer me = make_peer(1);
  ledger.set_signer(Signer::from_key(me.key));
  EXPECT_EQ(ledger.signer()->id, me.id);

  ASSERT_TRUE(ledger.add("machines", kIp, machine(me.id, kIp), kNow));
  const Entry first = ledger.last_block().storage.at("machines").at(kIp);
  EXPECT_EQ(first.owner, me.id);
  EXPECT_EQ(first.version, static_cast<uint64_t>(1767225600) * 1000000000ull);
  EXPECT_EQ(first.updated_at, 1767225600);
  EXPECT_TRUE(verify_entry("machines", kIp, first).ok());

  EXPECT_FALSE(ledger.add("machines", kIp, machine(me.id, kIp), kNow + 5s));  // no churn
  EXPECT_EQ(ledger.index(), 1);

  // A clock that went backwards still yields prev + 1.
  ASSERT_TRUE(ledger.add("machines", kIp, machine(me.id, "10.1.0.2"), kNow - 10s));
  EXPECT_EQ(ledger.last_block().storage.at("machines").at(kIp).version, first.version + 1);
}

TEST(LedgerWrite, SignedDeleteWritesTombstonesAndHidesBucket) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  ledger.set_signer(Signer::from_key(make_peer(1).key));
  ledger.add("mybucket", "k", "\"v\"", kNow);
  EXPECT_EQ(ledger.current_data().count("mybucket"), 1u);
  EXPECT_TRUE(ledger.remove_bucket("mybucket", kNow + 1s));
  EXPECT_FALSE(ledger.remove_bucket("mybucket", kNow + 2s));
  EXPECT_EQ(ledger.current_data().count("mybucket"), 0u);
  const Entry& tombstone = ledger.last_block().storage.at("mybucket").at("k");
  EXPECT_TRUE(tombstone.deleted);
  EXPECT_EQ(tombstone.value, "");
  EXPECT_TRUE(verify_entry("mybucket", "k", tombstone).ok());
  EXPECT_FALSE(ledger.remove("mybucket", "k", kNow + 3s));
}

// --- authorized merge (merge_test) ------------------------------------------------------------

TEST(LedgerMerge, AcceptsOwnersOwnWrite) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1);
  auto outcome = feed(
      ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  EXPECT_TRUE(outcome.changed);
  EXPECT_TRUE(outcome.violations.empty());
  EXPECT_EQ(stored_peer(ledger, "machines", kIp), a.id);
}

TEST(LedgerMerge, RejectsHijackOfLiveOwnersEntry) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1), b = make_peer(2);
  feed(ledger, heartbeat(a));
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  int64_t index = ledger.index();
  auto outcome = feed(
      ledger, {{"machines", {{kIp, signed_entry(b, "machines", kIp, machine(b.id, kIp), 2)}}}});
  EXPECT_EQ(stored_peer(ledger, "machines", kIp), a.id);
  EXPECT_FALSE(outcome.changed);
  EXPECT_EQ(ledger.index(), index);
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_EQ(outcome.violations[0].reason, "overwrite of a live entry owned by another peer");
  EXPECT_EQ(outcome.violations[0].describe(),
            "ownership violation (rejected): machines/10.1.0.1 from " + b.id +
                ": overwrite of a live entry owned by another peer");
  EXPECT_EQ(ledger.violations_rejected(), 1u);
}

TEST(LedgerMerge, ObserveLogsHijackButAcceptsIt) {
  auto ledger = make_ledger(OwnershipMode::kObserve);
  Peer a = make_peer(1), b = make_peer(2);
  feed(ledger, heartbeat(a));
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  auto outcome = feed(
      ledger, {{"machines", {{kIp, signed_entry(b, "machines", kIp, machine(b.id, kIp), 2)}}}});
  EXPECT_EQ(stored_peer(ledger, "machines", kIp), b.id);
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_TRUE(outcome.violations[0].accepted);
  EXPECT_EQ(ledger.violations_accepted(), 1u);
}

TEST(LedgerMerge, RejectsRollbackToOlderVersion) {
  for (auto mode : {OwnershipMode::kEnforce, OwnershipMode::kObserve}) {
    auto ledger = make_ledger(mode);
    Peer a = make_peer(1);
    feed(ledger,
         {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, "10.9.9.9"), 2)}}}});
    auto outcome = feed(
        ledger,
        {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, "10.0.0.0"), 1)}}}});
    ASSERT_EQ(outcome.violations.size(), 1u);
    EXPECT_EQ(outcome.violations[0].reason, "rollback to an older version");
    auto value = ledger.get("machines", kIp);
    EXPECT_NE(value->find(mode == OwnershipMode::kEnforce ? "10.9.9.9" : "10.0.0.0"),
              std::string::npos);
  }
}

TEST(LedgerMerge, RejectsForgedSignature) {
  for (auto mode : {OwnershipMode::kEnforce, OwnershipMode::kObserve}) {
    auto ledger = make_ledger(mode);
    Peer a = make_peer(1);
    Entry forged = signed_entry(a, "machines", kIp, machine(a.id, kIp), 1);
    forged.sig = util::to_bytes("garbage");
    auto outcome = feed(ledger, {{"machines", {{kIp, forged}}}});
    ASSERT_EQ(outcome.violations.size(), 1u);
    EXPECT_EQ(outcome.violations[0].reason, "invalid signature");
    EXPECT_EQ(ledger.get("machines", kIp).has_value(), mode == OwnershipMode::kObserve);
  }
}

TEST(LedgerMerge, RejectsUnsignedWriteToOwnedBucketUnderEnforce) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  auto outcome = feed(ledger, {{"machines", {{kIp, make_entry(machine("x", kIp))}}}});
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_FALSE(ledger.get("machines", kIp).has_value());
}

TEST(LedgerMerge, RejectsValueNamingAnotherPeer) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1), b = make_peer(2);
  auto outcome = feed(
      ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(b.id, kIp), 1)}}}});
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_EQ(outcome.violations[0].reason, "value owner does not match signer");
}

TEST(LedgerMerge, AllowsReclaimOnceOwnerExpired) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1), b = make_peer(2);
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  feed(ledger, {{"machines", {{kIp, signed_entry(b, "machines", kIp, machine(b.id, kIp), 2)}}}});
  EXPECT_EQ(stored_peer(ledger, "machines", kIp), b.id);
}

TEST(LedgerMerge, AllowsReclaimWhenHeartbeatIsOlderThanTtl) {
  auto ledger = make_ledger(OwnershipMode::kEnforce, 60s);
  Peer a = make_peer(1), b = make_peer(2);
  feed(ledger, heartbeat(a, kNow - 61s));
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  feed(ledger, {{"machines", {{kIp, signed_entry(b, "machines", kIp, machine(b.id, kIp), 2)}}}});
  EXPECT_EQ(stored_peer(ledger, "machines", kIp), b.id);
}

TEST(LedgerMerge, DnsNameBelongsToFirstClaimant) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1), b = make_peer(2);
  const std::string name = "foo.internal";
  feed(ledger, heartbeat(a));
  feed(ledger, {{"dns", {{name, signed_entry(a, "dns", name, R"({"1":"10.0.0.5"})", 1)}}}});
  ASSERT_TRUE(ledger.get("dns", name).has_value());
  feed(ledger, {{"dns", {{name, signed_entry(b, "dns", name, R"({"1":"6.6.6.6"})", 2)}}}});
  EXPECT_EQ(*ledger.get("dns", name), R"({"1":"10.0.0.5"})");
}

TEST(LedgerMerge, IdenticalRebroadcastCausesNoChurnOrWarning) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1);
  Entry owned = signed_entry(a, "machines", kIp, machine(a.id, kIp), 1);
  Entry open = signed_entry(a, "nodes", "k", "\"v\"", 1);
  feed(ledger, {{"machines", {{kIp, owned}}}, {"nodes", {{"k", open}}}});
  int64_t index = ledger.index();
  auto outcome = feed(ledger, {{"machines", {{kIp, owned}}}, {"nodes", {{"k", open}}}});
  EXPECT_FALSE(outcome.changed);
  EXPECT_TRUE(outcome.violations.empty());
  EXPECT_EQ(ledger.index(), index);
}

TEST(LedgerMerge, OpenBucketTakesOnlyStrictlyNewerVersions) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1);
  feed(ledger, {{"custom", {{"k", signed_entry(a, "custom", "k", "\"v2\"", 2)}}}});
  feed(ledger, {{"custom", {{"k", make_entry("\"unsigned\"")}}}});
  EXPECT_EQ(*ledger.get("custom", "k"), "\"v2\"");
  feed(ledger, {{"custom", {{"k", signed_entry(a, "custom", "k", "\"v3\"", 3)}}}});
  EXPECT_EQ(*ledger.get("custom", "k"), "\"v3\"");
  feed(ledger, {{"custom", {{"new", make_entry("1")}}}});
  EXPECT_EQ(*ledger.get("custom", "new"), "1");
}

TEST(LedgerMerge, OwnerReclaimsKeyClearedByForeignTombstone) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1), reaper = make_peer(2);
  feed(ledger, heartbeat(reaper));
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  feed(ledger, {{"machines", {{kIp, signed_tombstone(reaper, "machines", kIp, 2)}}}});
  EXPECT_FALSE(ledger.get("machines", kIp).has_value());
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 3)}}}});
  EXPECT_EQ(stored_peer(ledger, "machines", kIp), a.id);
}

TEST(LedgerMerge, StaleReclaimOverTombstoneIsRejected) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1);
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  feed(ledger, {{"machines", {{kIp, signed_tombstone(a, "machines", kIp, 5)}}}});
  auto outcome = feed(
      ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 4)}}}});
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_EQ(outcome.violations[0].reason, "stale re-claim over tombstone");
}

TEST(LedgerMerge, TombstonedEntryIsHidden) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1);
  feed(ledger, {{"machines", {{kIp, signed_entry(a, "machines", kIp, machine(a.id, kIp), 1)}}}});
  feed(ledger, {{"machines", {{kIp, signed_tombstone(a, "machines", kIp, 2)}}}});
  EXPECT_FALSE(ledger.get("machines", kIp).has_value());
  EXPECT_EQ(ledger.current_data().count("machines"), 0u);
  EXPECT_TRUE(ledger.last_block().storage.at("machines").at(kIp).deleted);
}

TEST(LedgerMerge, TombstoneForUnknownKeyIsRejected) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  Peer a = make_peer(1);
  auto outcome = feed(ledger, {{"machines", {{kIp, signed_tombstone(a, "machines", kIp, 2)}}}});
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_EQ(outcome.violations[0].reason, "tombstone for unknown key");
}

TEST(LedgerMerge, NeverExpiringOwnedEntryCannotChangeHands) {
  Peer a = make_peer(1), b = make_peer(2);
  Registry registry = Registry::defaults(60s);
  registry.set("claims", BucketPolicy{true, OwnerRule::kFirstClaim, Expiry::kNever, {}, false});
  auto options = LedgerOptions::for_mode(OwnershipMode::kEnforce, 60s);
  options.registry = registry;
  LedgerState ledger(options, kNow);
  feed(ledger, {{"claims", {{"k", signed_entry(a, "claims", "k", "1", 7)}}}});
  auto outcome = feed(ledger, {{"claims", {{"k", signed_entry(b, "claims", "k", "2", 8)}}}});
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_EQ(*ledger.get("claims", "k"), "1");
}

TEST(LedgerMerge, EqualVersionFromSameOwnerKeepsGreaterSignature) {
  Peer a = make_peer(1);
  Entry one = signed_entry(a, "users", a.id, "\"x\"", 7);
  Entry two = signed_entry(a, "users", a.id, "\"y\"", 7);
  const Entry& low = *one.sig < *two.sig ? one : two;
  const Entry& high = *one.sig < *two.sig ? two : one;

  auto upward = make_ledger(OwnershipMode::kEnforce);
  feed(upward, {{"users", {{a.id, low}}}});
  EXPECT_TRUE(feed(upward, {{"users", {{a.id, high}}}}).violations.empty());
  EXPECT_EQ(*upward.get("users", a.id), high.value);

  auto downward = make_ledger(OwnershipMode::kEnforce);
  feed(downward, {{"users", {{a.id, high}}}});
  auto outcome = feed(downward, {{"users", {{a.id, low}}}});
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_EQ(outcome.violations[0].reason, "lost deterministic tie-break");
  EXPECT_EQ(*downward.get("users", a.id), high.value);
}

// --- legacy unsigned entries (legacy_entry_test) ---------------------------------------------

LedgerState restarted_with(Storage persisted) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  ledger.restore(next_block(genesis_block(kNow), std::move(persisted), kNow));
  return ledger;
}

Storage legacy_machine(const std::string& owner) {
  return {{"machines", {{kIp, make_entry(machine(owner, kIp))}}}};
}

TEST(LedgerLegacy, NamedPeerReclaimsItsLegacyEntry) {
  Peer b = make_peer(2);
  auto ledger = restarted_with(legacy_machine(b.id));
  feed(ledger, heartbeat(b));
  feed(ledger, {{"machines", {{kIp, signed_entry(b, "machines", kIp, machine(b.id, kIp), 10)}}}});
  EXPECT_EQ(stored_owner(ledger, "machines", kIp), b.id);
}

TEST(LedgerLegacy, OtherLivePeerCannotTakeLegacyEntry) {
  Peer b = make_peer(2), c = make_peer(3);
  auto ledger = restarted_with(legacy_machine(b.id));
  feed(ledger, heartbeat(b));
  feed(ledger, heartbeat(c));
  feed(ledger, {{"machines", {{kIp, signed_entry(c, "machines", kIp, machine(c.id, kIp), 10)}}}});
  EXPECT_EQ(stored_owner(ledger, "machines", kIp), "");
}

TEST(LedgerLegacy, OtherPeerClaimsLegacyEntryOnceNamedPeerIsGone) {
  Peer b = make_peer(2), c = make_peer(3);
  auto ledger = restarted_with(legacy_machine(b.id));
  feed(ledger, heartbeat(c));
  feed(ledger, {{"machines", {{kIp, signed_entry(c, "machines", kIp, machine(c.id, kIp), 10)}}}});
  EXPECT_EQ(stored_owner(ledger, "machines", kIp), c.id);
}

TEST(LedgerLegacy, KeyedLegacyEntryReclaimableOnlyByThatPeer) {
  Peer b = make_peer(2), c = make_peer(3);
  auto own = restarted_with({{"egress", {{b.id, make_entry("\"true\"")}}}});
  feed(own, heartbeat(b));
  feed(own, {{"egress", {{b.id, signed_entry(b, "egress", b.id, "\"true\"", 10)}}}});
  EXPECT_EQ(stored_owner(own, "egress", b.id), b.id);

  auto other = restarted_with({{"egress", {{b.id, make_entry("\"true\"")}}}});
  feed(other, heartbeat(b));
  feed(other, heartbeat(c));
  feed(other, {{"egress", {{b.id, signed_entry(c, "egress", b.id, "\"true\"", 10)}}}});
  EXPECT_EQ(stored_owner(other, "egress", b.id), "");
}

TEST(LedgerLegacy, RightfulOwnersDeletionOfLegacyEntryPropagates) {
  Peer b = make_peer(2);
  auto owner = restarted_with(legacy_machine(b.id));
  owner.set_signer(Signer::from_key(b.key));
  EXPECT_TRUE(owner.remove("machines", kIp, kNow));
  EXPECT_FALSE(owner.get("machines", kIp).has_value());
  Entry tombstone = owner.last_block().storage.at("machines").at(kIp);
  EXPECT_TRUE(tombstone.deleted);
  EXPECT_EQ(tombstone.owner, b.id);

  auto peer = restarted_with(legacy_machine(b.id));
  feed(peer, heartbeat(b));
  feed(peer, {{"machines", {{kIp, tombstone}}}});
  EXPECT_FALSE(peer.get("machines", kIp).has_value());
}

TEST(LedgerLegacy, TombstoneFromAnotherLivePeerIsRefused) {
  Peer b = make_peer(2), c = make_peer(3);
  auto ledger = restarted_with(legacy_machine(b.id));
  feed(ledger, heartbeat(b));
  feed(ledger, heartbeat(c));
  feed(ledger, {{"machines", {{kIp, signed_tombstone(c, "machines", kIp, 1ull << 40)}}}});
  EXPECT_TRUE(ledger.get("machines", kIp).has_value());
}

TEST(LedgerLegacy, TombstoneAllowedOnceNamedPeerIsGone) {
  Peer b = make_peer(2), c = make_peer(3);
  auto ledger = restarted_with(legacy_machine(b.id));
  feed(ledger, heartbeat(c));
  feed(ledger, {{"machines", {{kIp, signed_tombstone(c, "machines", kIp, 1ull << 40)}}}});
  EXPECT_FALSE(ledger.get("machines", kIp).has_value());
}

// --- whole-block replace, ownership off (ledger_test) -----------------------------------------

TEST(LedgerOff, HigherHeightIsAdoptedLowerIgnored) {
  auto ledger = make_ledger(OwnershipMode::kOff);
  auto other = make_ledger(OwnershipMode::kOff);
  other.add("b", "k1", "1", kNow);
  other.add("b", "k2", "2", kNow);
  auto outcome = ledger.receive(other.last_block(), kNow);
  EXPECT_TRUE(outcome.changed);
  EXPECT_EQ(ledger.last_block(), other.last_block());

  auto behind = make_ledger(OwnershipMode::kOff);
  behind.add("b", "old", "0", kNow);
  EXPECT_FALSE(ledger.receive(behind.last_block(), kNow).changed);
  EXPECT_EQ(ledger.last_block(), other.last_block());
}

TEST(LedgerOff, EqualHeightSplitBrainConvergesViaHashTieBreak) {
  auto a = make_ledger(OwnershipMode::kOff);
  auto b = make_ledger(OwnershipMode::kOff);
  a.add("machines", "10.1.0.1", "\"a\"", kNow);
  b.add("machines", "10.1.0.2", "\"b\"", kNow + 1s);
  ASSERT_EQ(a.index(), b.index());
  ASSERT_NE(a.last_block().hash, b.last_block().hash);
  Block block_a = a.last_block(), block_b = b.last_block();
  a.receive(block_b, kNow + 2s);
  b.receive(block_a, kNow + 2s);
  EXPECT_EQ(a.last_block(), b.last_block());
  EXPECT_EQ(a.last_block().hash, std::max(block_a.hash, block_b.hash));

  // Re-announcing: the loser's key comes back in a higher block holding the union.
  a.add("machines", "10.1.0.1", "\"a\"", kNow + 3s);
  b.receive(a.last_block(), kNow + 3s);
  b.add("machines", "10.1.0.2", "\"b\"", kNow + 4s);
  a.receive(b.last_block(), kNow + 4s);
  EXPECT_EQ(a.last_block(), b.last_block());
  EXPECT_EQ(a.current_data().at("machines").size(), 2u);
}

TEST(LedgerOff, GoWireBlockMergesAndReencodesByteForByte) {
  const std::string wire =
      R"({"Index":1,"Timestamp":"2023-11-14 22:13:21.123456789 +0000 UTC","Storage":{"healthcheck":{"12D3KooWA":"\"2023-11-14T22:13:21Z\""},"machines":{"10.1.0.1":"{\"PeerID\":\"12D3KooWA\",\"Hostname\":\"h\",\"OS\":\"linux\",\"Arch\":\"amd64\",\"Address\":\"10.1.0.1\",\"Version\":\"\"}"}},"Hash":"831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7","PrevHash":"993c923422cd134b6aad0235ebfd4290a7b27b83d1bcd6b1fb2addc4b45b2fa6"})";
  auto ledger = make_ledger(OwnershipMode::kOff);
  auto outcome = ledger.receive_payload(gzip_compress(wire), kMaxPayload, kNow);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(encode_block(ledger.last_block()), wire);
  auto again = decode_block_payload(encode_block_payload(ledger.last_block()), kMaxPayload);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(encode_block(*again), wire);
}

TEST(LedgerReceive, MalformedPayloadIsAnErrorAndLeavesStateAlone) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  EXPECT_FALSE(ledger.receive_payload(util::to_bytes("junk"), kMaxPayload, kNow).ok());
  EXPECT_FALSE(ledger.receive_payload(gzip_compress("{\"Index\":"), kMaxPayload, kNow).ok());
  EXPECT_EQ(ledger.index(), 0);
}

// --- reaper (reaper_test) ---------------------------------------------------------------------

TEST(LedgerReaper, TombstonesExpiredEntriesAndPurgesOldTombstones) {
  auto ledger = make_ledger(OwnershipMode::kEnforce, 60s);
  Peer leader_peer = make_peer(1), gone = make_peer(2), alive = make_peer(3);
  ledger.set_signer(Signer::from_key(leader_peer.key));
  feed(ledger, heartbeat(alive));
  feed(ledger, heartbeat(gone, kNow - 600s));
  feed(ledger,
       {{"machines",
         {{"10.1.0.2", signed_entry(gone, "machines", "10.1.0.2", machine(gone.id, "10.1.0.2"), 1)},
          {"10.1.0.3",
           signed_entry(alive, "machines", "10.1.0.3", machine(alive.id, "10.1.0.3"), 1)}}},
        {"custom", {{"k", make_entry("1")}}}});
  ASSERT_TRUE(ledger.reap(kNow));
  EXPECT_FALSE(ledger.get("machines", "10.1.0.2").has_value());
  EXPECT_FALSE(ledger.get("healthcheck", gone.id).has_value());  // absolute expiry
  EXPECT_TRUE(ledger.get("machines", "10.1.0.3").has_value());
  EXPECT_TRUE(ledger.get("custom", "k").has_value());
  const Entry& tombstone = ledger.last_block().storage.at("machines").at("10.1.0.2");
  EXPECT_EQ(tombstone.owner, leader_peer.id);
  EXPECT_FALSE(ledger.reap(kNow + 1s));

  ASSERT_TRUE(ledger.reap(kNow + kDefaultTombstoneTtl + 1s));
  EXPECT_EQ(ledger.last_block().storage.at("machines").count("10.1.0.2"), 0u);
}

TEST(LedgerReaper, DoesNothingWhenOwnershipOffOrUnsigned) {
  auto off = make_ledger(OwnershipMode::kOff);
  off.set_signer(Signer::from_key(make_peer(1).key));
  off.add("machines", kIp, machine("gone", kIp), kNow);
  EXPECT_FALSE(off.reap(kNow + 1000s));
  auto unsigned_ledger = make_ledger(OwnershipMode::kEnforce);
  feed(unsigned_ledger,
       {{"machines",
         {{kIp, signed_entry(make_peer(2), "machines", kIp, machine(make_peer(2).id, kIp), 1)}}}});
  EXPECT_FALSE(unsigned_ledger.reap(kNow + 1000s));
}

// --- heartbeats and leader -------------------------------------------------------------------

TEST(Leader, PicksLargestFnv1aHash) {
  std::vector<std::string> letters{"a", "b", "c", "d"};
  EXPECT_EQ(leader(letters), "b");
  std::vector<std::string> digits{"1", "2", "3", "4", "5"};
  EXPECT_EQ(leader(digits), "2");
  EXPECT_EQ(leader({}), "");
  EXPECT_EQ(fnv1a_32(""), 2166136261u);
  EXPECT_EQ(fnv1a_32("a"), 0xe40c292cu);
}

TEST(Heartbeats, AvailableNodesAreThoseSeenWithinMaxAge) {
  auto ledger = make_ledger(OwnershipMode::kOff, 480s);
  ledger.add("healthcheck", "p1", go_quote(format_rfc3339_utc(kNow - 100s)), kNow);
  ledger.add("healthcheck", "p2", go_quote(format_rfc3339_utc(kNow - 1000s)), kNow);
  ledger.add("healthcheck", "p0", go_quote(format_rfc3339_utc(kNow)), kNow);
  ledger.add("healthcheck", "bad", "\"yesterday\"", kNow);
  EXPECT_EQ(ledger.available_nodes(900s, kNow), (std::vector<std::string>{"p0", "p1"}));
  EXPECT_TRUE(ledger.is_live("p1", kNow));
  EXPECT_FALSE(ledger.is_live("p2", kNow));
}

TEST(Heartbeats, FarFutureHeartbeatIsLiveWithoutOverflow) {
  auto ledger = make_ledger(OwnershipMode::kOff);
  ledger.add("healthcheck", "future", "\"9999-12-31T23:59:59Z\"", kNow);
  ledger.add("healthcheck", "ancient", "\"0001-01-01T00:00:00Z\"", kNow);
  EXPECT_EQ(ledger.available_nodes(900s, kNow), (std::vector<std::string>{"future"}));
}

TEST(LedgerOff, HostileMaximalIndexWrapsLikeGoInsteadOfOverflowing) {
  auto ledger = make_ledger(OwnershipMode::kOff);
  Block hostile;
  hostile.index = INT64_MAX;
  ASSERT_TRUE(ledger.receive(hostile, kNow).changed);
  ASSERT_TRUE(ledger.add("b", "k", "1", kNow));
  EXPECT_EQ(ledger.index(), INT64_MIN);
}

TEST(LedgerReaper, KeepsTombstonesWithExtremeTimestamps) {
  auto ledger = make_ledger(OwnershipMode::kEnforce);
  ledger.set_signer(Signer::from_key(make_peer(1).key));
  Storage storage{{"custom",
                   {{"late", make_entry("", "x", 1, INT64_MAX, true)},
                    {"early", make_entry("", "x", 1, INT64_MIN, true)}}}};
  ledger.restore(next_block(ledger.last_block(), storage, kNow));
  EXPECT_TRUE(ledger.reap(kNow));
  EXPECT_EQ(ledger.last_block().storage.at("custom").count("late"), 1u);
  EXPECT_EQ(ledger.last_block().storage.at("custom").count("early"), 0u);
}

}  // namespace
}  // namespace edgevpn::ledger
