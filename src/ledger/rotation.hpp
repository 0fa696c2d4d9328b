// OTP epoch schedule (spec 3, 8.1) as a pure function of wall time: the ledger topic and seal key
// of the current epoch, the previous ones during a grace window after each boundary, when the
// next change happens, and the DHT rendezvous ring.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/derivations.hpp"
#include "ledger/gossip_codec.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

// EdgeVPN switches topic and key at the boundary with no overlap; we keep listening on (and
// accepting the key of) the previous epoch this long so small clock skew loses nothing.
inline constexpr std::chrono::seconds kDefaultRotationGrace{30};

// The token fields the schedule needs (the node layer copies them from its NetworkConfig).
struct RotationConfig {
  OtpSecret crypto;        // otp.crypto: seal key + topic, same boundaries
  std::string room;        // topic TOTP secret
  OtpSecret dht;           // otp.dht
  std::string rendezvous;  // static rendezvous when otp.dht.key is empty
  std::chrono::seconds grace = kDefaultRotationGrace;
  bool public_topic = false;  // PeerGuardian's generic topic is also needed
};

// One crypto epoch: [start, end).
struct Epoch {
  uint64_t counter = 0;
  util::WallTime start;
  util::WallTime end;
  std::string topic;         // ledger gossip topic
  std::string public_topic;  // generic/PeerGuardian topic
  std::string seal_key;

  bool operator==(const Epoch&) const = default;
};

// Everything the I/O layer needs at one instant.
struct TopicSnapshot {
  Epoch current;
  std::optional<Epoch> previous;    // set only inside the grace window after a boundary
  util::WallTime next_boundary;     // current.end: topic and key change
  util::WallTime next_change;       // earliest of next_boundary and the end of the grace window
  std::vector<std::string> topics;  // must be subscribed now: current, then previous
  std::vector<std::string> rendezvous_ring;  // DHT: current rendezvous, then the previous one

  // What the gossip codec may open messages with now.
  SealKeys seal_keys() const;
};

class TopicSchedule {
 public:
  // kInvalidArgument for a non-positive crypto interval (Go panics on it), a non-positive DHT
  // interval while otp.dht.key is set, or a negative grace.
  static util::Result<TopicSchedule> create(RotationConfig config);

  const RotationConfig& config() const { return config_; }
  std::chrono::seconds interval() const { return std::chrono::seconds(config_.crypto.interval); }

  Epoch epoch_at(util::WallTime now) const;
  TopicSnapshot at(util::WallTime now) const;
  // DHT ring of 2 (spec 8.1): current then previous rendezvous; one entry when they coincide
  // (static rendezvous).
  std::vector<std::string> rendezvous_ring(util::WallTime now) const;

 private:
  explicit TopicSchedule(RotationConfig config) : config_(std::move(config)) {}
  Epoch epoch_for_counter(uint64_t counter) const;

  RotationConfig config_;
};

}  // namespace edgevpn::ledger
