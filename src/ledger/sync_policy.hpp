// When to publish the full ledger (sans-I/O). EdgeVPN re-publishes it every ~10 s forever; we
// publish on change, on a peer joining, when a peer is behind, and otherwise rarely (Trickle-like
// suppression), with a legacy mode that keeps EdgeVPN's schedule for networks with Go nodes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "ledger/backoff_ticker.hpp"
#include "ledger/block.hpp"
#include "util/clock.hpp"

namespace edgevpn::ledger {

struct SyncPolicyOptions {
  // Periodic full sync when nothing happens (the safety net for lost messages).
  std::chrono::nanoseconds full_sync_interval = std::chrono::minutes(5);
  double jitter = 0.1;  // periodic delay x U(1 - jitter, 1 + jitter), so nodes do not align
  // Peer joins and "peer is behind" replies wait U(debounce, 2 x debounce): bursts coalesce and
  // one node's answer can make the others' redundant.
  std::chrono::nanoseconds debounce = std::chrono::milliseconds(250);
  // Replies to a peer that is behind never follow our previous publish closer than this (bounds
  // ping-pong with a peer that keeps disagreeing, e.g. one whose entries we reject).
  std::chrono::nanoseconds min_reply_gap = std::chrono::seconds(5);
  // Skip a periodic publish, or a pending reply, when since then we heard this many ledgers
  // identical to ours (0 = never skip).
  uint32_t suppress_after = 1;
  // Changes that only refresh our own heartbeat go out at most this long after our previous
  // publish (any publish carries them sooner); 0 publishes them at once like any local change.
  std::chrono::nanoseconds background_interval{0};
  // EdgeVPN's schedule: backoff ticker (5 s doubling, jitter 0.5) capped at
  // ledger-synchronization-interval, first tick immediately, no suppression.
  bool legacy_compat = false;
  std::chrono::nanoseconds legacy_interval = std::chrono::seconds(10);
};

enum class SyncReason { kNone, kLocalChange, kPeerJoined, kPeerBehind, kPeriodic };

const char* sync_reason_name(SyncReason reason);

// True iff publishing `ours` would teach the sender of `theirs` something: the whole-block rule
// of spec 6.5 (ours higher, or equal height with a greater hash) with different contents, or an
// entry of ours that theirs lacks or holds at a lower version.
bool sender_needs_ours(const Block& theirs, const Block& ours);

class SyncPolicy {
 public:
  // `uniform` returns values in [0, 1) (jitter); tests pass a constant.
  SyncPolicy(SyncPolicyOptions options, util::SteadyTime now, std::function<double()> uniform);

  // Our ledger changed (local write, reap, or a merge that made a new block): publish now.
  void on_local_change(util::SteadyTime now);
  // Our ledger changed only by a heartbeat refresh: publish within background_interval.
  void on_background_change(util::SteadyTime now);
  // A peer subscribed to the ledger topic: it needs the ledger soon.
  void on_peer_joined(util::SteadyTime now);
  // A ledger arrived; `ours` is our last block after handling it.
  void on_received(const Block& theirs, const Block& ours, util::SteadyTime now);

  // True when the ledger should be published now. Not const: a periodic publish or reply made
  // redundant by what we heard is dropped here and the schedule moves on.
  bool due(util::SteadyTime now);
  // When due() may next become true; the I/O layer sleeps until then (or the next event).
  util::SteadyTime next_deadline() const;
  // Why due() is true (kNone when it is not).
  SyncReason reason(util::SteadyTime now) const;
  // The ledger was published (whatever the reason).
  void on_published(util::SteadyTime now);

  // Turned on when a Go node is seen (agent version) or by flag; restarts the periodic schedule.
  void set_legacy_compat(bool enabled, util::SteadyTime now);
  bool legacy_compat() const { return options_.legacy_compat; }

  uint64_t published() const { return published_; }
  uint64_t suppressed() const { return suppressed_; }

 private:
  struct Pending {
    util::SteadyTime deadline;
    SyncReason reason = SyncReason::kNone;
    uint64_t heard_at_trigger = 0;  // heard_total_ when the reply was scheduled
  };

  std::chrono::nanoseconds periodic_delay();
  std::chrono::nanoseconds debounce_delay();
  void schedule(SyncReason reason, util::SteadyTime deadline);
  void restart_periodic(util::SteadyTime now);
  bool suppressing() const { return !options_.legacy_compat && options_.suppress_after > 0; }

  SyncPolicyOptions options_;
  std::function<double()> uniform_;
  BackoffTicker legacy_ticker_;
  std::optional<Pending> pending_;
  util::SteadyTime periodic_deadline_;
  std::optional<util::SteadyTime> last_published_;
  uint32_t heard_consistent_ = 0;  // identical ledgers heard since our last publish or roll
  uint64_t heard_total_ = 0;       // identical ledgers heard, ever
  uint64_t published_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace edgevpn::ledger
