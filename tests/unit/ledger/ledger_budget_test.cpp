// LedgerBudget on receipt: a member cannot make every node store without bound, date entries in
// the future, or fill the ledger past what can be published; legitimate writes still merge.
#include "ledger/ledger_budget.hpp"

#include <gtest/gtest.h>

#include "ledger/go_json.hpp"
#include "ledger/ledger_state.hpp"
#include "signed_peer.hpp"

namespace edgevpn::ledger {
namespace {

using namespace std::chrono_literals;

const util::WallTime kNow = util::WallTime(std::chrono::seconds(1767225600));  // 2026-01-01
const uint64_t kNowNs = 1767225600ull * 1000000000ull;

LedgerState make_ledger(LedgerBudget budget, OwnershipMode mode = OwnershipMode::kEnforce) {
  auto options = LedgerOptions::for_mode(mode, 60s);
  options.budget = budget;
  return LedgerState(options, kNow);
}

MergeOutcome feed(LedgerState& ledger, Storage entries) {
  return ledger.receive(next_block(ledger.last_block(), std::move(entries), kNow), kNow);
}

std::string machine(const std::string& peer_id, const std::string& filler = "") {
  return go_encode_string_map({{"PeerID", peer_id}, {"Address", "10.1.0.1"}, {"Note", filler}});
}

std::string text(size_t bytes) {
  return go_quote(std::string(bytes, 'x'));
}

TEST(LedgerBudget, OversizedEntriesAreRefusedOthersInTheSameBlockMerge) {
  auto ledger = make_ledger(LedgerBudget{});
  Peer a = make_peer(1);
  auto outcome = feed(
      ledger,
      {{"custom",
        {{"big", make_entry(text(70 * 1024), "", 5)}, {"small", make_entry(text(10), "", 5)}}}});
  EXPECT_TRUE(outcome.changed);
  EXPECT_FALSE(ledger.get("custom", "big").has_value());
  EXPECT_TRUE(ledger.get("custom", "small").has_value());
  ASSERT_EQ(outcome.violations.size(), 1u);
  EXPECT_TRUE(outcome.violations[0].over_budget);
  EXPECT_NE(outcome.violations[0].describe().find("over budget (rejected): custom/big"),
            std::string::npos);
  EXPECT_EQ(ledger.refused_over_budget(), 1u);
  // Signed and owned: the same bound.
  feed(ledger,
       {{"machines",
         {{"10.1.0.1", signed_entry_at(a, "machines", "10.1.0.1",
                                       machine(a.id, std::string(70000, 'y')), kNowNs, kNow)}}}});
  EXPECT_FALSE(ledger.get("machines", "10.1.0.1").has_value());
}

TEST(LedgerBudget, VersionsTimestampsAndHeartbeatsFromTheFutureAreRefused) {
  auto ledger = make_ledger(LedgerBudget{});
  Peer a = make_peer(1);
  // The squatter's maximal version would win every later write of the key.
  feed(ledger, {{"machines",
                 {{"10.1.0.1",
                   signed_entry_at(a, "machines", "10.1.0.1", machine(a.id), UINT64_MAX, kNow)}}}});
  EXPECT_FALSE(ledger.get("machines", "10.1.0.1").has_value());
  // A heartbeat dated 2261 would keep its owner live (and its addresses held) forever.
  const auto year_2261 = util::WallTime(std::chrono::seconds(9183110400));
  feed(ledger,
       {{"healthcheck",
         {{a.id, signed_entry_at(a, "healthcheck", a.id, go_quote(format_rfc3339_utc(year_2261)),
                                 kNowNs, kNow)}}}});
  EXPECT_FALSE(ledger.get("healthcheck", a.id).has_value());
  // An UpdatedAt a day ahead.
  feed(ledger,
       {{"services",
         {{"web", signed_entry_at(a, "services", "web", machine(a.id), kNowNs, kNow + 24h)}}}});
  EXPECT_FALSE(ledger.get("services", "web").has_value());
  EXPECT_EQ(ledger.refused_over_budget(), 3u);
  // Within the allowed skew (5 min ahead) entries merge.
  feed(ledger,
       {{"healthcheck",
         {{a.id, signed_entry_at(a, "healthcheck", a.id, go_quote(format_rfc3339_utc(kNow + 5min)),
                                 kNowNs + 300'000'000'000ull, kNow + 5min)}}}});
  EXPECT_TRUE(ledger.get("healthcheck", a.id).has_value());
}

TEST(LedgerBudget, ASignerOverItsBudgetIsRefusedOthersAreNot) {
  LedgerBudget budget;
  budget.max_signer_bytes = 8 * 1024;
  auto ledger = make_ledger(budget);
  Peer greedy = make_peer(1), other = make_peer(2);
  for (int i = 0; i < 8; ++i) {
    std::string key = "s" + std::to_string(i);
    feed(ledger,
         {{"services",
           {{key, signed_entry_at(greedy, "services", key,
                                  machine(greedy.id, std::string(2000, 'z')), kNowNs, kNow)}}}});
  }
  size_t held = ledger.current_data().at("services").size();
  EXPECT_GE(held, 3u);
  EXPECT_LE(held, 4u);  // 8 KiB / ~2.2 KiB per entry
  EXPECT_EQ(ledger.refused_over_budget(), 8u - held);
  // Another member still writes, and the greedy one can still shrink what it holds.
  feed(ledger,
       {{"services",
         {{"o", signed_entry_at(other, "services", "o", machine(other.id), kNowNs, kNow)}}}});
  EXPECT_TRUE(ledger.get("services", "o").has_value());
  feed(ledger, {{"services",
                 {{"s0", signed_entry_at(greedy, "services", "s0", machine(greedy.id), kNowNs + 1,
                                         kNow)}}}});
  EXPECT_EQ(*ledger.get("services", "s0"), machine(greedy.id));
}

TEST(LedgerBudget, OpenBucketsShareOneBudgetAndTheLedgerStaysPublishable) {
  LedgerBudget budget;
  budget.max_open_bytes = 16 * 1024;
  budget.max_total_bytes = 64 * 1024;
  auto ledger = make_ledger(budget);
  // The flood of finding 4: incompressible values under new keys of an open bucket.
  for (int i = 0; i < 40; ++i) {
    feed(ledger, {{"junk", {{"k" + std::to_string(i), make_entry(text(1000), "", 1)}}}});
  }
  EXPECT_LE(storage_cost(ledger.last_block().storage), 16u * 1024);
  EXPECT_EQ(ledger.current_data().at("junk").size(), 15u);
  // Members' own entries keep merging, up to the whole ledger's bound.
  Peer a = make_peer(3);
  feed(ledger,
       {{"machines",
         {{"10.1.0.1", signed_entry_at(a, "machines", "10.1.0.1", machine(a.id), kNowNs, kNow)}}}});
  EXPECT_TRUE(ledger.get("machines", "10.1.0.1").has_value());
  for (uint8_t n = 10; n < 80; ++n) {
    Peer p = make_peer(n);
    std::string key = "svc" + std::to_string(n);
    feed(ledger, {{"services",
                   {{key, signed_entry_at(p, "services", key, machine(p.id, std::string(3000, 'q')),
                                          kNowNs, kNow)}}}});
  }
  EXPECT_LE(storage_cost(ledger.last_block().storage), 64u * 1024);
  EXPECT_LE(encode_block(ledger.last_block()).size(), 80u * 1024);
}

TEST(LedgerBudget, OwnershipOffRefusesWholeBlocksOverTheBudget) {
  LedgerBudget budget;
  budget.max_total_bytes = 4 * 1024;
  auto ledger = make_ledger(budget, OwnershipMode::kOff);
  auto outcome = feed(ledger, {{"junk", {{"k", make_entry(text(5000), "", 0)}}}});
  EXPECT_FALSE(outcome.changed);
  EXPECT_EQ(ledger.index(), 0);
  EXPECT_EQ(ledger.refused_over_budget(), 1u);
  EXPECT_TRUE(feed(ledger, {{"ok", {{"k", make_entry(text(100), "", 0)}}}}).changed);
}

TEST(LedgerBudget, TheWholeLedgerFitsTheNetworksMessages) {
  EXPECT_EQ(LedgerBudget::for_message_size(20 * 1024 * 1024).max_total_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(LedgerBudget::for_message_size(4 * 1024 * 1024).max_total_bytes,
            2u * 1024 * 1024 - 64 * 1024);
  EXPECT_EQ(LedgerBudget::for_message_size(1000).max_total_bytes, 0u);
}

}  // namespace
}  // namespace edgevpn::ledger
