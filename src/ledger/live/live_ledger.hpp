// The live ledger (I/O): the sealed, signed ledger kept in sync over GossipSub on the rotating
// topic (spec 5, 6). Local writes are broadcast once; received blocks are merged; the sync policy
// decides when to re-publish; the announce loops (spec 6.4) retry writes on the backoff ticker;
// the heartbeat and the leader's scrub / reaper (spec 10.5) run here; `--ledger-state` persists.
// All calls on the io_context's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "ledger/gossip_codec.hpp"
#include "ledger/ledger_state.hpp"
#include "ledger/rotation.hpp"
#include "ledger/sync_policy.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}
namespace edgevpn::p2p::gossip {
class PubsubService;
}

namespace edgevpn::ledger::live {

using std::chrono::seconds;

struct LiveLedgerConfig {
  RotationConfig rotation;               // topic, seal key and their epochs (from the token)
  size_t max_message_size = 20 << 20;    // token's max_message_size
  LedgerOptions ledger;                  // ownership mode, ttl, registry
  SyncPolicyOptions sync;                // when to publish the full ledger
  std::string state_dir;                 // --ledger-state; "" keeps the ledger in memory
  seconds announce_interval{10};         // --ledger-announce-interval (announce loops' cap)
  // Heartbeat (healthcheck bucket): write every tick (cap below); scrub / reap by the leader.
  bool heartbeat = true;
  seconds heartbeat_interval{120};        // --aliveness-healthcheck-interval
  seconds scrub_interval{600};            // --aliveness-healthcheck-scrub-interval
  seconds heartbeat_max_age{900};         // --aliveness-healthcheck-max-interval
  // Spec 5.5: when set, ledger messages forwarded by other peers are dropped (static peer table).
  std::function<bool(const crypto::PeerId&)> accept_sender;
};

struct LiveLedgerStats {
  GossipCounters gossip;           // received ledger messages, by outcome
  uint64_t published = 0;          // full-ledger publishes
  uint64_t suppressed = 0;         // periodic publishes skipped (peers already agree)
  uint64_t merges = 0;             // received blocks that changed our ledger
  uint64_t violations_rejected = 0;
  uint64_t violations_accepted = 0;
};

// Handle returned by on_change(); the callback stays registered while it lives.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::shared_ptr<void> token) : token_(std::move(token)) {}
  void reset() { token_.reset(); }

 private:
  std::shared_ptr<void> token_;
};

class LiveLedger {
 public:
  // `key` is the host's identity: the signer of our entries (ownership on) and our peer ID.
  static util::Result<std::unique_ptr<LiveLedger>> create(asio::io_context& io,
                                                          p2p::gossip::PubsubService& pubsub,
                                                          crypto::PrivateKey key,
                                                          LiveLedgerConfig config);
  ~LiveLedger();
  LiveLedger(const LiveLedger&) = delete;
  LiveLedger& operator=(const LiveLedger&) = delete;

  // Joins the current topic(s), loads --ledger-state, starts the timers and loops.
  void start();
  void stop();

  // --- readers ---
  const LedgerState& state() const;
  LedgerData current_data() const;
  std::optional<std::string> get(std::string_view bucket, std::string_view key) const;
  const Block& last_block() const;
  int64_t index() const;
  // Peers with a heartbeat younger than `max_age`.
  std::vector<std::string> available_nodes(std::chrono::seconds max_age) const;
  bool is_live(std::string_view peer_id) const;
  // Peers subscribed to the current ledger topic (spec 11: OnChain).
  std::vector<crypto::PeerId> topic_peers() const;
  const std::string& current_topic() const;
  const std::string& self_id() const;  // base58 peer ID

  // --- writes: each returns true iff the ledger changed (a new block, broadcast once) ---
  bool add(std::string_view bucket, std::string_view key, std::string_view value_json);
  bool remove(std::string_view bucket, std::string_view key);
  bool remove_bucket(std::string_view bucket);

  // --- announce loops on the backoff ticker (spec 6.4) ---
  // Re-add while the stored value differs; forever (timeout 0) or until equal / timeout.
  void announce_update(std::string bucket, std::string key, std::string value_json);
  void persist(std::string bucket, std::string key, std::string value_json,
               std::chrono::seconds timeout);
  // Re-delete until gone or timeout.
  void announce_delete(std::string bucket, std::string key, std::chrono::seconds timeout);
  void announce_delete_bucket(std::string bucket, std::chrono::seconds timeout);
  // Runs `step` on the backoff ticker (capped at announce_interval) until it returns false.
  void announce(std::function<bool()> step);

  // Called after every change of the last block (local write, merge, reap, load).
  Subscription on_change(std::function<void()> callback);

  // EdgeVPN's sync schedule (full ledger every ~ledger-synchronization-interval).
  void set_legacy_compat(bool enabled);
  LiveLedgerStats stats() const;

  class Impl;

 private:
  explicit LiveLedger(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgevpn::ledger::live
