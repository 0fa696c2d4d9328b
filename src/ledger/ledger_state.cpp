// LedgerState: local writes, receive-side merge (spec 6.5), reaper and readers.
#include "ledger/ledger_state.hpp"

#include <algorithm>

#include "crypto/peer_id.hpp"

namespace edgevpn::ledger {
namespace {

HeartbeatValues project_heartbeats(const Storage& storage) {
  HeartbeatValues out;
  auto bucket = storage.find(std::string(kHealthcheckBucket));
  if (bucket == storage.end()) return out;
  for (const auto& [key, entry] : bucket->second) {
    if (!entry.deleted) out.emplace(key, entry.value);
  }
  return out;
}

// time.Unix(unix_s, 0).Add(ttl).Before(now), safe for any int64 read from the wire.
bool unix_plus_ttl_before(int64_t unix_s, std::chrono::seconds ttl, util::WallTime now) {
  __int128 deadline_ns = (static_cast<__int128>(unix_s) + ttl.count()) * 1000000000;
  auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
  return deadline_ns < now_ns.count();
}

}  // namespace

Signer Signer::from_key(crypto::PrivateKey key) {
  std::string id = crypto::PeerId::from_public_key(key.public_key()).to_base58();
  return Signer{std::move(key), std::move(id)};
}

std::string Violation::describe() const {
  return std::string(over_budget ? "over budget (" : "ownership violation (") +
         (accepted ? "observe, accepting" : "rejected") + "): " + bucket + "/" + key + " from " +
         owner + ": " + reason;
}

int64_t unix_seconds(util::WallTime time) {
  return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

uint64_t version_after(uint64_t previous, util::WallTime now) {
  uint64_t next = previous + 1;
  auto nanos = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  return nanos > next ? nanos : next;
}

uint32_t fnv1a_32(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (char c : text) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 16777619u;
  }
  return hash;
}

std::string leader(std::span<const std::string> candidates) {
  if (candidates.empty()) return {};
  const std::string* best = &candidates.front();
  uint32_t best_hash = fnv1a_32(*best);
  for (const auto& candidate : candidates) {
    uint32_t hash = fnv1a_32(candidate);
    if (best_hash < hash) {
      best = &candidate;
      best_hash = hash;
    }
  }
  return *best;
}

LedgerState::LedgerState(LedgerOptions options, util::WallTime now)
    : options_(std::move(options)), last_(genesis_block(now)) {}

Entry LedgerState::make_entry(std::string_view bucket, std::string_view key, std::string_view value,
                              const Entry* previous, util::WallTime now) const {
  Entry entry;
  entry.value = std::string(value);
  if (!signer_) return entry;
  // An identical re-write by the same owner keeps the old entry: re-announces cause no churn.
  if (previous && previous->owner == signer_->id && !previous->deleted &&
      previous->value == value && previous->sig.has_value()) {
    return *previous;
  }
  entry.version = version_after(previous ? previous->version : 0, now);
  entry.updated_at = unix_seconds(now);
  sign_entry(bucket, key, entry, signer_->key, signer_->id);
  return entry;
}

Entry LedgerState::make_tombstone(std::string_view bucket, std::string_view key,
                                  const Entry& previous, util::WallTime now) const {
  Entry entry;
  entry.version = version_after(previous.version, now);
  entry.updated_at = unix_seconds(now);
  entry.deleted = true;
  sign_entry(bucket, key, entry, signer_->key, signer_->id);
  return entry;
}

void LedgerState::commit(Storage storage, util::WallTime now) {
  last_ = next_block(last_, std::move(storage), now);
}

bool LedgerState::add(std::string_view bucket_name, const BucketValues& values,
                      util::WallTime now) {
  Storage current = last_.storage;
  Bucket& bucket = current[std::string(bucket_name)];
  bool changed = false;
  for (const auto& [key, value] : values) {
    auto found = bucket.find(key);
    const Entry* previous = found == bucket.end() ? nullptr : &found->second;
    Entry entry = make_entry(bucket_name, key, value, previous, now);
    if (!previous || !same_entry(*previous, entry)) {
      bucket[key] = std::move(entry);
      changed = true;
    }
  }
  if (changed) commit(std::move(current), now);
  return changed;
}

bool LedgerState::add(std::string_view bucket, std::string_view key, std::string_view value_json,
                      util::WallTime now) {
  return add(bucket, BucketValues{{std::string(key), std::string(value_json)}}, now);
}

bool LedgerState::remove(std::string_view bucket_name, std::string_view key, util::WallTime now) {
  Storage current = last_.storage;
  auto bucket = current.find(std::string(bucket_name));
  if (bucket == current.end()) return false;
  auto found = bucket->second.find(std::string(key));
  if (found == bucket->second.end()) return false;
  if (signer_) {
    if (found->second.deleted) return false;
    found->second = make_tombstone(bucket_name, key, found->second, now);
  } else {
    bucket->second.erase(found);  // the (possibly empty) bucket stays, as in Go
  }
  commit(std::move(current), now);
  return true;
}

bool LedgerState::remove_bucket(std::string_view bucket_name, util::WallTime now) {
  Storage current = last_.storage;
  auto bucket = current.find(std::string(bucket_name));
  if (bucket == current.end()) return false;
  if (signer_) {
    bool changed = false;
    for (auto& [key, entry] : bucket->second) {
      if (entry.deleted) continue;
      entry = make_tombstone(bucket_name, key, entry, now);
      changed = true;
    }
    if (!changed) return false;
  } else {
    current.erase(bucket);
  }
  commit(std::move(current), now);
  return true;
}

std::string LedgerState::effective_owner(const BucketPolicy& policy, std::string_view key,
                                         const Entry& entry) const {
  if (!entry.owner.empty() || !policy.has_owner_function()) return entry.owner;
  return policy.owner_of(key, entry.value);  // legacy entry: the owner its value implies
}

bool LedgerState::expired(const BucketPolicy& policy, std::string_view key, const Entry& existing,
                          const HeartbeatValues& health, util::WallTime now) const {
  switch (policy.expiry) {
    case Expiry::kAbsolute: return unix_plus_ttl_before(existing.updated_at, policy.ttl, now);
    case Expiry::kLiveness:
      return !ledger::is_live(health, effective_owner(policy, key, existing), options_.ttl, now);
    case Expiry::kNever: break;
  }
  return false;
}

std::string LedgerState::accept(std::string_view bucket, std::string_view key,
                                const Entry& incoming, const Entry* existing,
                                const BucketPolicy& policy, const HeartbeatValues& health,
                                util::WallTime now) const {
  if (!verify_entry(bucket, key, incoming)) return "invalid signature";

  if (incoming.deleted) {
    // The current owner may delete; anyone may once the owner's lease is over (the reaper).
    if (!existing) return "tombstone for unknown key";
    if (incoming.owner != effective_owner(policy, key, *existing) &&
        !expired(policy, key, *existing, health, now)) {
      return "tombstone by non-owner of a live entry";
    }
    if (incoming.version <= existing->version) return "stale tombstone";
    return {};
  }

  if (policy.has_owner_function() && policy.owner_of(key, incoming.value) != incoming.owner) {
    return "value owner does not match signer";
  }
  if (!existing) return {};  // first claim of a free key
  if (existing->deleted) {
    // A tombstone is a cleared slot: any valid owner may re-claim it with a newer version.
    if (incoming.version <= existing->version) return "stale re-claim over tombstone";
    return {};
  }
  if (incoming.owner != effective_owner(policy, key, *existing) &&
      !expired(policy, key, *existing, health, now)) {
    return "overwrite of a live entry owned by another peer";
  }
  if (incoming.version < existing->version) return "rollback to an older version";
  if (incoming.version == existing->version) {
    // Deterministic tie-break so that every node converges on the same winner.
    const util::Bytes empty;
    const util::Bytes& incoming_sig = incoming.sig ? *incoming.sig : empty;
    const util::Bytes& existing_sig = existing->sig ? *existing->sig : empty;
    if (incoming.owner > existing->owner ||
        (incoming.owner == existing->owner && incoming_sig > existing_sig)) {
      return {};
    }
    return "lost deterministic tie-break";
  }
  return {};
}

MergeOutcome LedgerState::receive(const Block& incoming, util::WallTime now) {
  MergeOutcome outcome;
  if (options_.mode == OwnershipMode::kOff) {
    if (incoming.index > last_.index ||
        (incoming.index == last_.index && incoming.hash > last_.hash)) {
      if (size_t cost = storage_cost(incoming.storage); cost > options_.budget.max_total_bytes) {
        outcome.violations.push_back(
            Violation{"", "", "", "block of " + std::to_string(cost) + " bytes", false, true});
        ++refused_over_budget_;
        return outcome;
      }
      last_ = incoming;
      outcome.changed = true;
    }
    return outcome;
  }

  Storage current = last_.storage;
  const HeartbeatValues health = project_heartbeats(current);  // as of before this merge
  BudgetTally tally(current, [this](const std::string& bucket) {
    return options_.registry.policy(bucket).owned;
  });
  bool changed = false;
  for (const auto& [bucket_name, incoming_bucket] : incoming.storage) {
    const BucketPolicy& policy = options_.registry.policy(bucket_name);
    for (const auto& [key, entry] : incoming_bucket) {
      Bucket& bucket = current[bucket_name];
      auto found = bucket.find(key);
      const Entry* existing = found == bucket.end() ? nullptr : &found->second;
      if (existing && same_entry(*existing, entry)) continue;  // re-broadcast: no churn
      // Open bucket: strictly newer versions only, so unsigned Version-0 never overwrites.
      if (!policy.owned && existing && entry.version <= existing->version) continue;
      // Budgets hold in observe mode too: they keep the ledger publishable.
      std::string over =
          tally.check(options_.budget, policy.owned, bucket_name, key, entry, existing, now);
      if (!over.empty()) {
        outcome.violations.push_back(Violation{bucket_name, key, entry.owner, over, false, true});
        ++refused_over_budget_;
        continue;
      }
      if (policy.owned) {
        std::string reason = accept(bucket_name, key, entry, existing, policy, health, now);
        if (!reason.empty()) {
          bool take = options_.mode == OwnershipMode::kObserve;
          outcome.violations.push_back(
              Violation{bucket_name, key, entry.owner, reason, take, false});
          ++(take ? violations_accepted_ : violations_rejected_);
          if (!take) continue;
        }
      }
      tally.replace(policy.owned, key, entry, existing);
      bucket[key] = entry;
      changed = true;
    }
  }
  if (changed) {
    commit(std::move(current), now);
    outcome.changed = true;
  }
  return outcome;
}

util::Result<MergeOutcome> LedgerState::receive_payload(util::ByteView payload, size_t max_size,
                                                        util::WallTime now) {
  EDGEVPN_TRY_ASSIGN(block, decode_block_payload(payload, max_size));
  return receive(block, now);
}

bool LedgerState::reap(util::WallTime now, std::chrono::seconds tombstone_ttl) {
  if (options_.mode == OwnershipMode::kOff || !signer_) return false;
  Storage current = last_.storage;
  const HeartbeatValues health = project_heartbeats(current);
  bool changed = false;
  for (auto& [bucket_name, bucket] : current) {
    const BucketPolicy& policy = options_.registry.policy(bucket_name);
    for (auto it = bucket.begin(); it != bucket.end();) {
      Entry& entry = it->second;
      if (entry.deleted) {
        if (unix_plus_ttl_before(entry.updated_at, tombstone_ttl, now)) {
          it = bucket.erase(it);
          changed = true;
          continue;
        }
      } else if (policy.owned && policy.expiry != Expiry::kNever &&
                 expired(policy, it->first, entry, health, now)) {
        entry = make_tombstone(bucket_name, it->first, entry, now);
        changed = true;
      }
      ++it;
    }
  }
  if (changed) commit(std::move(current), now);
  return changed;
}

LedgerData LedgerState::current_data() const {
  LedgerData out;
  for (const auto& [bucket_name, bucket] : last_.storage) {
    BucketValues values;
    for (const auto& [key, entry] : bucket) {
      if (!entry.deleted) values.emplace(key, entry.value);
    }
    if (!values.empty()) out.emplace(bucket_name, std::move(values));
  }
  return out;
}

std::optional<std::string> LedgerState::get(std::string_view bucket_name,
                                            std::string_view key) const {
  auto bucket = last_.storage.find(std::string(bucket_name));
  if (bucket == last_.storage.end()) return std::nullopt;
  auto found = bucket->second.find(std::string(key));
  if (found == bucket->second.end() || found->second.deleted) return std::nullopt;
  return found->second.value;
}

bool LedgerState::holds(std::string_view bucket, std::string_view key,
                        std::string_view value_json) const {
  auto value = get(bucket, key);
  return value && *value == value_json;
}

HeartbeatValues LedgerState::heartbeats() const {
  return project_heartbeats(last_.storage);
}

std::vector<std::string> LedgerState::available_nodes(std::chrono::seconds max_age,
                                                      util::WallTime now) const {
  std::vector<std::string> out;
  for (const auto& [peer, value] : heartbeats()) {
    auto time = heartbeat_time(value);
    if (time && *time > now - max_age) out.push_back(peer);
  }
  return out;  // HeartbeatValues is ordered, so this is sorted
}

bool LedgerState::is_live(std::string_view peer_id, util::WallTime now) const {
  return ledger::is_live(heartbeats(), peer_id, options_.ttl, now);
}

}  // namespace edgevpn::ledger
