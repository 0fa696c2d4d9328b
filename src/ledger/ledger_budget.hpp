// What one member may make every node store (issue 14): a bound per entry, per signer and for the
// open buckets together, and entries dated in the future refused (a version of 2^64-1 or a
// heartbeat from 2261 would hold a key forever). Checked on receipt; local writes are ours.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ledger/block.hpp"
#include "ledger/entry.hpp"
#include "util/clock.hpp"

namespace edgevpn::ledger {

struct LedgerBudget {
  size_t max_entry_bytes = 64 * 1024;        // key + value + owner + signature
  size_t max_signer_bytes = 1024 * 1024;     // live entries one signer holds in owned buckets
  size_t max_open_bytes = 2 * 1024 * 1024;   // open buckets (anyone may write there), together
  size_t max_total_bytes = 8 * 1024 * 1024;  // the whole ledger: it must stay publishable
  std::chrono::seconds max_clock_skew{600};  // how far in the future a version or time may be

  // The defaults, with the whole ledger kept publishable in messages of `max_message_size`
  // bytes: sealing doubles the (gzip) payload, and incompressible entries do not shrink.
  static LedgerBudget for_message_size(size_t max_message_size);
};

// Bytes an entry costs under `key`.
size_t entry_cost(std::string_view key, const Entry& entry);

// The ledger's current usage per signer, for open buckets and in total, kept up to date as
// entries are accepted.
class BudgetTally {
 public:
  // `owned(bucket)` tells which buckets are owned (their entries are charged to their signer).
  template <class OwnedFn>
  BudgetTally(const Storage& storage, OwnedFn owned) {
    for (const auto& [bucket, entries] : storage) {
      bool is_owned = owned(bucket);
      for (const auto& [key, entry] : entries) charge(is_owned, key, entry, 1);
    }
  }

  // "" when `incoming` may replace `existing` (nullptr: a new key), else why not.
  std::string check(const LedgerBudget& budget, bool owned, std::string_view bucket,
                    std::string_view key, const Entry& incoming, const Entry* existing,
                    util::WallTime now) const;
  void replace(bool owned, std::string_view key, const Entry& incoming, const Entry* existing);

  size_t total() const { return total_; }
  size_t open() const { return open_; }
  size_t signer(const std::string& owner) const;

 private:
  void charge(bool owned, std::string_view key, const Entry& entry, int sign);

  std::map<std::string, size_t, std::less<>> signers_;
  size_t open_ = 0;
  size_t total_ = 0;
};

// The whole ledger's cost (a block taken as a whole when ownership is off).
size_t storage_cost(const Storage& storage);

}  // namespace edgevpn::ledger
