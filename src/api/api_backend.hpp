// What the HTTP API needs from a node (spec 11): node identity, the ledger's readers and announce
// loops, peer lists and bandwidth counters. The node implements it; tests implement it on a bare
// LedgerState. Every call is made on the node's io thread (see BackendGate), never concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger_state.hpp"

namespace edgevpn::api {

// libp2p's metrics.Stats: byte totals and rates (bytes per second).
struct BandwidthStats {
  int64_t total_in = 0;
  int64_t total_out = 0;
  double rate_in = 0;
  double rate_out = 0;

  bool operator==(const BandwidthStats&) const = default;
};

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;

  // --- identity and ledger readers ---
  virtual std::string node_id() = 0;  // base58 peer ID
  // bucket -> key -> value JSON text; tombstones hidden (LiveLedger::current_data()).
  virtual ledger::LedgerData current_data() = 0;
  // The last block exactly as it goes on the wire: ledger::encode_block(last_block()).
  virtual std::string last_block_json() = 0;
  virtual int64_t ledger_index() = 0;
  // Peers with a heartbeat younger than `max_age` (LiveLedger::available_nodes), base58.
  virtual std::vector<std::string> available_nodes(std::chrono::seconds max_age) = 0;

  // --- peers (base58 IDs) ---
  // False until the ledger topic is joined (then /api/summary answers 500, as EdgeVPN does).
  virtual bool topic_joined() = 0;
  virtual std::vector<std::string> topic_peers() = 0;      // subscribed to the ledger topic
  virtual std::vector<std::string> peerstore_peers() = 0;  // every peer the host knows
  virtual std::vector<std::string> connected_peers() = 0;  // with an open connection

  // --- writes: announce loops on the backoff ticker (LiveLedger::persist / announce_delete*) ---
  virtual void persist(std::string bucket, std::string key, std::string value_json,
                       std::chrono::seconds timeout) = 0;
  virtual void announce_delete(std::string bucket, std::string key,
                               std::chrono::seconds timeout) = 0;
  virtual void announce_delete_bucket(std::string bucket, std::chrono::seconds timeout) = 0;

  // --- bandwidth (libp2p BandwidthCounter); zeros / empty until the host counts bytes ---
  virtual BandwidthStats bandwidth_total() { return {}; }
  virtual std::map<std::string, BandwidthStats> bandwidth_by_protocol() { return {}; }
  virtual std::map<std::string, BandwidthStats> bandwidth_by_peer() { return {}; }  // base58 keys

  // --- PeerGater (--peerguard): nullopt when it is not running (the routes answer 404) ---
  virtual std::optional<bool> peergate_enabled() { return std::nullopt; }
  // False when there is no PeerGater.
  virtual bool set_peergate_enabled(bool enabled) { return false; }
};

}  // namespace edgevpn::api
