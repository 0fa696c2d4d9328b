// Budget checks of received entries: size, signer and open-bucket quotas, clocks.
#include "ledger/ledger_budget.hpp"

#include <algorithm>

#include "ledger/ledger_state.hpp"
#include "ledger/ownership.hpp"

namespace edgevpn::ledger {
namespace {

constexpr size_t kEntryOverhead = 64;  // version, times, flags and JSON around them

bool charged_to_signer(bool owned, const Entry& entry) {
  return owned && !entry.owner.empty();
}

}  // namespace

LedgerBudget LedgerBudget::for_message_size(size_t max_message_size) {
  LedgerBudget budget;
  constexpr size_t kEnvelope = 64 * 1024;
  const size_t half = max_message_size / 2;
  const size_t publishable = half > kEnvelope ? half - kEnvelope : 0;
  budget.max_total_bytes = std::min(budget.max_total_bytes, publishable);
  return budget;
}

size_t entry_cost(std::string_view key, const Entry& entry) {
  return kEntryOverhead + key.size() + entry.value.size() + entry.owner.size() +
         (entry.sig ? entry.sig->size() : 0);
}

size_t storage_cost(const Storage& storage) {
  size_t total = 0;
  for (const auto& [bucket, entries] : storage) {
    for (const auto& [key, entry] : entries) total += entry_cost(key, entry);
  }
  return total;
}

void BudgetTally::charge(bool owned, std::string_view key, const Entry& entry, int sign) {
  const size_t cost = entry_cost(key, entry);
  auto apply = [&](size_t& counter) { counter = sign > 0 ? counter + cost : counter - cost; };
  apply(total_);
  if (charged_to_signer(owned, entry)) {
    auto found = signers_.find(entry.owner);
    if (found == signers_.end()) found = signers_.emplace(entry.owner, 0).first;
    apply(found->second);
    if (found->second == 0) signers_.erase(found);
  } else if (!owned) {
    apply(open_);
  }
}

size_t BudgetTally::signer(const std::string& owner) const {
  auto found = signers_.find(owner);
  return found == signers_.end() ? 0 : found->second;
}

std::string BudgetTally::check(const LedgerBudget& budget, bool owned, std::string_view bucket,
                               std::string_view key, const Entry& incoming, const Entry* existing,
                               util::WallTime now) const {
  const size_t cost = entry_cost(key, incoming);
  if (cost > budget.max_entry_bytes) {
    return "entry of " + std::to_string(cost) + " bytes (at most " +
           std::to_string(budget.max_entry_bytes) + ")";
  }
  const auto latest = now + budget.max_clock_skew;
  const auto latest_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(latest.time_since_epoch()).count();
  if (incoming.version > static_cast<uint64_t>(latest_ns)) return "version from the future";
  if (incoming.updated_at > unix_seconds(latest)) return "timestamp from the future";
  if (bucket == kHealthcheckBucket && !incoming.deleted) {
    auto time = heartbeat_time(incoming.value);
    if (time && *time > latest) return "heartbeat from the future";
  }

  // What the replacement adds. An entry that does not grow always fits: a signer over its
  // budget (a smaller budget than when it wrote) can still shrink or delete what it holds.
  const size_t old_cost = existing ? entry_cost(key, *existing) : 0;
  const size_t growth = cost > old_cost ? cost - old_cost : 0;
  if (growth > 0 && total_ + growth > budget.max_total_bytes) return "the ledger is full";
  if (charged_to_signer(owned, incoming)) {
    const bool same_signer =
        existing && charged_to_signer(owned, *existing) && existing->owner == incoming.owner;
    const size_t used = signer(incoming.owner) - (same_signer ? old_cost : 0);
    if (used + cost > budget.max_signer_bytes && !(same_signer && growth == 0)) {
      return "signer over its budget of " + std::to_string(budget.max_signer_bytes) + " bytes";
    }
  } else if (!owned && growth > 0 && open_ + growth > budget.max_open_bytes) {
    return "open buckets over their budget of " + std::to_string(budget.max_open_bytes) + " bytes";
  }
  return {};
}

void BudgetTally::replace(bool owned, std::string_view key, const Entry& incoming,
                          const Entry* existing) {
  if (existing) charge(owned, key, *existing, -1);
  charge(owned, key, incoming, 1);
}

}  // namespace edgevpn::ledger
