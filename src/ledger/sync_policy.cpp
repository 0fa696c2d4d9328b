// Announce policy: one pending event-driven publish (earliest deadline wins) plus a periodic
// deadline, both dropped when identical ledgers heard from others make them redundant.
#include "ledger/sync_policy.hpp"

#include <algorithm>

namespace edgevpn::ledger {
namespace {

std::chrono::nanoseconds scaled(std::chrono::nanoseconds base, double factor) {
  return std::chrono::nanoseconds(
      static_cast<int64_t>(static_cast<double>(base.count()) * std::max(factor, 0.0)));
}

double clamp_unit(double value) {
  return std::clamp(value, 0.0, 1.0);
}

}  // namespace

const char* sync_reason_name(SyncReason reason) {
  switch (reason) {
    case SyncReason::kNone: return "none";
    case SyncReason::kLocalChange: return "local change";
    case SyncReason::kPeerJoined: return "peer joined";
    case SyncReason::kPeerBehind: return "peer behind";
    case SyncReason::kPeriodic: return "periodic";
  }
  return "unknown";
}

bool sender_needs_ours(const Block& theirs, const Block& ours) {
  if (theirs.storage == ours.storage) return false;
  // A whole-block node (EdgeVPN off mode, every release <= v0.34) adopts ours on these terms.
  if (ours.index > theirs.index || (ours.index == theirs.index && ours.hash > theirs.hash)) {
    return true;
  }
  // A per-key merger takes entries it lacks and higher versions.
  for (const auto& [bucket_name, bucket] : ours.storage) {
    auto their_bucket = theirs.storage.find(bucket_name);
    for (const auto& [key, entry] : bucket) {
      if (their_bucket == theirs.storage.end()) return true;
      auto their_entry = their_bucket->second.find(key);
      if (their_entry == their_bucket->second.end()) return true;
      if (!same_entry(entry, their_entry->second) && entry.version > their_entry->second.version) {
        return true;
      }
    }
  }
  return false;
}

SyncPolicy::SyncPolicy(SyncPolicyOptions options, util::SteadyTime now,
                       std::function<double()> uniform)
    : options_(options),
      uniform_(std::move(uniform)),
      legacy_ticker_(BackoffTicker::with_max(options.legacy_interval, uniform_)) {
  restart_periodic(now);
}

std::chrono::nanoseconds SyncPolicy::periodic_delay() {
  if (options_.legacy_compat) return legacy_ticker_.next_delay();
  double u = uniform_ ? clamp_unit(uniform_()) : 0.5;
  double jitter = std::clamp(options_.jitter, 0.0, 1.0);
  return scaled(options_.full_sync_interval, 1.0 - jitter + 2.0 * jitter * u);
}

std::chrono::nanoseconds SyncPolicy::debounce_delay() {
  double u = uniform_ ? clamp_unit(uniform_()) : 0.5;
  return scaled(options_.debounce, 1.0 + u);
}

void SyncPolicy::restart_periodic(util::SteadyTime now) {
  legacy_ticker_.reset();
  // Legacy: EdgeVPN's ticker fires at once. Otherwise the first full sync waits a whole period;
  // joins and local changes cover the start-up.
  periodic_deadline_ = now + periodic_delay();
  heard_consistent_ = 0;
}

void SyncPolicy::schedule(SyncReason reason, util::SteadyTime deadline) {
  if (pending_.has_value() && pending_->deadline <= deadline) {
    if (reason == SyncReason::kLocalChange) pending_->reason = reason;  // no longer suppressible
    pending_->heard_at_trigger = heard_total_;  // only answers heard after this trigger count
    return;
  }
  pending_ = Pending{deadline, reason, heard_total_};
}

void SyncPolicy::on_local_change(util::SteadyTime now) {
  schedule(SyncReason::kLocalChange, now);
}

void SyncPolicy::on_background_change(util::SteadyTime now) {
  if (options_.legacy_compat || options_.background_interval.count() <= 0 || !last_published_) {
    return on_local_change(now);
  }
  schedule(SyncReason::kLocalChange,
           std::max(now, *last_published_ + options_.background_interval));
}

void SyncPolicy::on_peer_joined(util::SteadyTime now) {
  // No minimum gap here: a join happens once per peer and topic, and a new peer (a service
  // client, a VPN node) should not wait for the ledger; the debounce coalesces bursts.
  schedule(SyncReason::kPeerJoined, now + debounce_delay());
}

void SyncPolicy::on_received(const Block& theirs, const Block& ours, util::SteadyTime now) {
  if (theirs.storage == ours.storage) {
    ++heard_consistent_;
    ++heard_total_;
    return;
  }
  if (!sender_needs_ours(theirs, ours)) return;
  auto deadline = now + debounce_delay();
  if (last_published_) deadline = std::max(deadline, *last_published_ + options_.min_reply_gap);
  schedule(SyncReason::kPeerBehind, deadline);
}

bool SyncPolicy::due(util::SteadyTime now) {
  if (pending_.has_value() && now >= pending_->deadline) {
    bool answered = suppressing() && pending_->reason != SyncReason::kLocalChange &&
                    heard_total_ >= pending_->heard_at_trigger + options_.suppress_after;
    if (!answered) return true;
    pending_.reset();  // someone else already published what we would have
    ++suppressed_;
  }
  if (now >= periodic_deadline_) {
    if (suppressing() && heard_consistent_ >= options_.suppress_after) {
      ++suppressed_;
      periodic_deadline_ = now + periodic_delay();
      heard_consistent_ = 0;
      return false;
    }
    return true;
  }
  return false;
}

util::SteadyTime SyncPolicy::next_deadline() const {
  if (pending_.has_value()) return std::min(pending_->deadline, periodic_deadline_);
  return periodic_deadline_;
}

SyncReason SyncPolicy::reason(util::SteadyTime now) const {
  if (pending_.has_value() && now >= pending_->deadline) return pending_->reason;
  if (now >= periodic_deadline_) return SyncReason::kPeriodic;
  return SyncReason::kNone;
}

void SyncPolicy::on_published(util::SteadyTime now) {
  pending_.reset();
  last_published_ = now;
  periodic_deadline_ = now + periodic_delay();
  heard_consistent_ = 0;
  ++published_;
}

void SyncPolicy::set_legacy_compat(bool enabled, util::SteadyTime now) {
  if (options_.legacy_compat == enabled) return;
  options_.legacy_compat = enabled;
  restart_periodic(now);
}

}  // namespace edgevpn::ledger
