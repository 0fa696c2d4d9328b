// Epoch arithmetic for the OTP rotation: counter = floor(unix / interval) as in Go, boundaries at
// multiples of the interval, grace measured from the boundary just crossed.
#include "ledger/rotation.hpp"

#include <algorithm>

#include "ledger/otp.hpp"

namespace edgevpn::ledger {
namespace {

int64_t floor_unix_seconds(util::WallTime time) {
  return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

util::WallTime at_unix_seconds(int64_t seconds) {
  return util::WallTime(std::chrono::seconds(seconds));
}

}  // namespace

SealKeys TopicSnapshot::seal_keys() const {
  SealKeys keys{current.seal_key, std::nullopt};
  if (previous.has_value()) keys.previous = previous->seal_key;
  return keys;
}

util::Result<TopicSchedule> TopicSchedule::create(RotationConfig config) {
  if (config.crypto.interval <= 0) {
    return util::make_error(util::Errc::kInvalidArgument, "otp.crypto.interval must be positive");
  }
  if (!config.dht.key.empty() && config.dht.interval <= 0) {
    return util::make_error(util::Errc::kInvalidArgument, "otp.dht.interval must be positive");
  }
  if (config.grace.count() < 0) {
    return util::make_error(util::Errc::kInvalidArgument, "rotation grace must not be negative");
  }
  return TopicSchedule(std::move(config));
}

Epoch TopicSchedule::epoch_for_counter(uint64_t counter) const {
  const int64_t interval = config_.crypto.interval;
  const int64_t start = static_cast<int64_t>(counter) * interval;
  Epoch epoch;
  epoch.counter = counter;
  epoch.start = at_unix_seconds(start);
  epoch.end = at_unix_seconds(start + interval);
  // The derivations take a time inside the epoch; its start is one.
  epoch.topic = ledger_topic(config_.room, config_.crypto, start);
  if (config_.public_topic) epoch.public_topic = public_topic(config_.room, config_.crypto, start);
  epoch.seal_key = seal_key(config_.crypto, start);
  return epoch;
}

Epoch TopicSchedule::epoch_at(util::WallTime now) const {
  int64_t unix = std::max<int64_t>(0, floor_unix_seconds(now));
  return epoch_for_counter(totp_counter(unix, config_.crypto.interval));
}

TopicSnapshot TopicSchedule::at(util::WallTime now) const {
  TopicSnapshot snapshot;
  snapshot.current = epoch_at(now);
  snapshot.next_boundary = snapshot.current.end;
  snapshot.next_change = snapshot.next_boundary;
  const util::WallTime grace_end = snapshot.current.start + config_.grace;
  if (config_.grace.count() > 0 && snapshot.current.counter > 0 && now < grace_end) {
    snapshot.previous = epoch_for_counter(snapshot.current.counter - 1);
    snapshot.next_change = std::min(grace_end, snapshot.next_boundary);
  }
  snapshot.topics.push_back(snapshot.current.topic);
  if (config_.public_topic) snapshot.topics.push_back(snapshot.current.public_topic);
  if (snapshot.previous.has_value()) {
    snapshot.topics.push_back(snapshot.previous->topic);
    if (config_.public_topic) snapshot.topics.push_back(snapshot.previous->public_topic);
  }
  snapshot.rendezvous_ring = rendezvous_ring(now);
  return snapshot;
}

std::vector<std::string> TopicSchedule::rendezvous_ring(util::WallTime now) const {
  int64_t unix = std::max<int64_t>(0, floor_unix_seconds(now));
  std::vector<std::string> ring{dht_rendezvous(config_.dht, config_.rendezvous, unix)};
  if (config_.dht.key.empty()) return ring;  // static: never rotates
  int64_t interval = config_.dht.interval;
  if (unix >= interval) {
    std::string previous = dht_rendezvous(config_.dht, config_.rendezvous, unix - interval);
    if (previous != ring.front()) ring.push_back(std::move(previous));
  }
  return ring;
}

}  // namespace edgevpn::ledger
