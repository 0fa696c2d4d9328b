// The ledger store as a sans-I/O state machine (spec 6.4-6.6, 10.5): the last block, local
// writes (unsigned or signed), merge of received blocks under each ownership mode, the reaper,
// and the readers. Every call takes `now`; nothing here reads a clock, logs or sends.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"
#include "ledger/block.hpp"
#include "ledger/entry.hpp"
#include "ledger/ledger_budget.hpp"
#include "ledger/ownership.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

inline constexpr std::string_view kHealthcheckBucket = "healthcheck";
// Tombstones are purged 3 x the longest announce interval (900 s) after they were written.
inline constexpr std::chrono::seconds kDefaultTombstoneTtl{3 * 900};

// Our identity for signed writes.
struct Signer {
  crypto::PrivateKey key;
  std::string id;  // base58 peer ID, the Owner of what we write

  static Signer from_key(crypto::PrivateKey key);
};

// One entry the ownership policy refused (enforce: dropped; observe: taken anyway).
struct Violation {
  std::string bucket;
  std::string key;
  std::string owner;   // the incoming entry's claimed owner
  std::string reason;  // Go's reason text, e.g. "invalid signature"
  bool accepted = false;
  bool over_budget = false;  // refused by LedgerBudget rather than by the ownership rules

  // "ownership violation (rejected): bucket/key from OWNER: reason" (Go's log line), or
  // "over budget (rejected): ..."
  std::string describe() const;
};

struct MergeOutcome {
  bool changed = false;  // a new last block was installed (never to be re-broadcast)
  std::vector<Violation> violations;  // ownership violations and budget refusals
};

struct LedgerOptions {
  OwnershipMode mode = OwnershipMode::kOff;
  std::chrono::seconds ttl = kDefaultOwnershipTtl;  // liveness window
  Registry registry = Registry::defaults(kDefaultOwnershipTtl);
  LedgerBudget budget;

  // The default registry built with the same ttl (it is also healthcheck's absolute TTL).
  static LedgerOptions for_mode(OwnershipMode mode,
                                std::chrono::seconds ttl = kDefaultOwnershipTtl) {
    LedgerOptions options;
    options.mode = mode;
    options.ttl = ttl;
    options.registry = Registry::defaults(ttl);
    return options;
  }
};

using BucketValues = std::map<std::string, std::string>;  // key -> value JSON
using LedgerData = std::map<std::string, BucketValues>;

class LedgerState {
 public:
  // Starts from a local genesis block.
  LedgerState(LedgerOptions options, util::WallTime now);

  // Replaces the last block (a persisted ledger being loaded).
  void restore(Block last) { last_ = std::move(last); }
  // With a signer every local write is signed (all buckets), as v0.35 does under ownership.
  void set_signer(std::optional<Signer> signer) { signer_ = std::move(signer); }
  const std::optional<Signer>& signer() const { return signer_; }
  OwnershipMode mode() const { return options_.mode; }
  const LedgerOptions& options() const { return options_; }

  const Block& last_block() const { return last_; }
  int64_t index() const { return last_.index; }

  // Local writes. Each returns true iff something changed, in which case a new last block now
  // exists and the caller broadcasts it once. `values` map keys to value JSON text.
  bool add(std::string_view bucket, const BucketValues& values, util::WallTime now);
  bool add(std::string_view bucket, std::string_view key, std::string_view value_json,
           util::WallTime now);
  bool remove(std::string_view bucket, std::string_view key, util::WallTime now);
  bool remove_bucket(std::string_view bucket, util::WallTime now);

  // A block received from gossip. Off: whole-block replace on greater height or equal height with
  // greater hash. Observe/enforce: per-key merge by the ownership rules.
  MergeOutcome receive(const Block& incoming, util::WallTime now);
  // gunzip (at most `max_size` bytes) + decode + receive; errors mean "drop the message".
  util::Result<MergeOutcome> receive_payload(util::ByteView payload, size_t max_size,
                                             util::WallTime now);

  // Reaper (elected leader only, ownership on, signer set): tombstones expired owned entries and
  // purges tombstones written more than `tombstone_ttl` ago. True iff a new block was made (the
  // caller broadcasts it, as for local writes).
  bool reap(util::WallTime now, std::chrono::seconds tombstone_ttl = kDefaultTombstoneTtl);

  // Readers: tombstones hidden, buckets holding no live entry left out.
  LedgerData current_data() const;
  std::optional<std::string> get(std::string_view bucket, std::string_view key) const;
  // True iff the live value at bucket/key is exactly `value_json` (Persist / AnnounceUpdate stop
  // re-announcing then).
  bool holds(std::string_view bucket, std::string_view key, std::string_view value_json) const;
  HeartbeatValues heartbeats() const;
  // Peers whose heartbeat + max_age is after now, sorted.
  std::vector<std::string> available_nodes(std::chrono::seconds max_age, util::WallTime now) const;
  bool is_live(std::string_view peer_id, util::WallTime now) const;

  uint64_t violations_rejected() const { return violations_rejected_; }
  uint64_t violations_accepted() const { return violations_accepted_; }
  // Received entries (or, ownership off, blocks) refused for the budget (LedgerBudget).
  uint64_t refused_over_budget() const { return refused_over_budget_; }

 private:
  Entry make_entry(std::string_view bucket, std::string_view key, std::string_view value,
                   const Entry* previous, util::WallTime now) const;
  Entry make_tombstone(std::string_view bucket, std::string_view key, const Entry& previous,
                       util::WallTime now) const;
  std::string effective_owner(const BucketPolicy& policy, std::string_view key,
                              const Entry& entry) const;
  bool expired(const BucketPolicy& policy, std::string_view key, const Entry& existing,
               const HeartbeatValues& health, util::WallTime now) const;
  // "" to accept, else the reason for refusing.
  std::string accept(std::string_view bucket, std::string_view key, const Entry& incoming,
                     const Entry* existing, const BucketPolicy& policy,
                     const HeartbeatValues& health, util::WallTime now) const;
  void commit(Storage storage, util::WallTime now);

  LedgerOptions options_;
  std::optional<Signer> signer_;
  Block last_;
  uint64_t violations_rejected_ = 0;
  uint64_t violations_accepted_ = 0;
  uint64_t refused_over_budget_ = 0;
};

// FNV-1a 32-bit of the text (Go's hash/fnv New32a).
uint32_t fnv1a_32(std::string_view text);
// The element with the largest FNV-1a-32 hash, the first one on ties; "" for an empty list.
std::string leader(std::span<const std::string> candidates);

// Go's versionAfter: max(previous + 1, now in unix nanoseconds).
uint64_t version_after(uint64_t previous, util::WallTime now);
int64_t unix_seconds(util::WallTime time);

}  // namespace edgevpn::ledger
