// Ownership policy of the v0.35 authenticated ledger (spec 6.5-6.6): the --ownership mode, the
// per-bucket registry (who owns an entry, how it expires) and the heartbeat liveness rule.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

enum class OwnershipMode { kOff, kObserve, kEnforce };

// "", "off" | "observe", "log", "log-only" | "enforce", "on" (case-insensitive, trimmed);
// anything else is kInvalidArgument (v0.35.4 strict parsing).
util::Result<OwnershipMode> parse_ownership_mode(std::string_view text);
std::string_view to_string(OwnershipMode mode);

// Liveness window default on HEAD (4 x the 120 s heartbeat); v0.35.0-3 used 120 s.
inline constexpr std::chrono::seconds kDefaultOwnershipTtl{480};

enum class Expiry {
  kNever,     // unregistered / open buckets
  kLiveness,  // alive iff the owner's heartbeat is fresh
  kAbsolute,  // expires ttl after the entry's own UpdatedAt
};

enum class OwnerRule {
  kFirstClaim,   // no owner function: the first signer owns the key (dns)
  kKey,          // the key is the owner's peer ID (users, healthcheck, egress)
  kValuePeerId,  // the value's "PeerID" field (machines, services, files)
};

struct BucketPolicy {
  bool owned = false;
  OwnerRule owner_rule = OwnerRule::kFirstClaim;
  Expiry expiry = Expiry::kNever;
  std::chrono::seconds ttl{0};  // for kAbsolute
  bool reclaimable = false;

  bool has_owner_function() const { return owner_rule != OwnerRule::kFirstClaim; }
  // The owner the entry's key/value names, or "" (also for kFirstClaim).
  std::string owner_of(std::string_view key, std::string_view value_json) const;
};

class Registry {
 public:
  // Spec 6.6 with `ttl` as the liveness window (and the healthcheck Absolute TTL).
  static Registry defaults(std::chrono::seconds ttl);
  // Open (unowned, never expiring) unless registered.
  const BucketPolicy& policy(std::string_view bucket) const;
  void set(std::string bucket, BucketPolicy policy);
  const std::map<std::string, BucketPolicy, std::less<>>& policies() const { return policies_; }

 private:
  std::map<std::string, BucketPolicy, std::less<>> policies_;
};

// Go's `struct{ PeerID string }` unmarshal of a value: "" when absent or not decodable.
std::string peer_id_field(std::string_view value_json);

// Go time.Parse(time.RFC3339, s): YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm).
util::Result<util::WallTime> parse_rfc3339(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ" (UTC, seconds), as the heartbeat writes it.
std::string format_rfc3339_utc(util::WallTime time);

// Heartbeat values: bucket "healthcheck", key = peer ID, value JSON text of an RFC3339 string.
using HeartbeatValues = std::map<std::string, std::string, std::less<>>;
// True iff `owner` has a heartbeat whose time + ttl is after `now` (Go's IsLive).
bool is_live(const HeartbeatValues& heartbeats, std::string_view owner, std::chrono::seconds ttl,
             util::WallTime now);
// When the heartbeat value decodes, its time.
std::optional<util::WallTime> heartbeat_time(std::string_view value_json);

}  // namespace edgevpn::ledger
