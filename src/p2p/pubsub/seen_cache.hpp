// The "seen" set of message IDs: each ID is remembered for a fixed time after it was first seen
// (go-libp2p-pubsub's first-seen TimeCache), so duplicates are dropped without growing forever.
#pragma once

#include <chrono>
#include <deque>
#include <unordered_set>
#include <utility>

#include "p2p/pubsub/message_signing.hpp"
#include "util/clock.hpp"

namespace edgevpn::p2p::pubsub {

class SeenCache {
 public:
  explicit SeenCache(std::chrono::steady_clock::duration ttl) : ttl_(ttl) {}

  bool contains(const MessageId& id) const { return ids_.count(id) != 0; }
  // Returns false when the ID was already present (its expiry is not extended).
  bool insert(const MessageId& id, util::SteadyTime now);
  // Forgets IDs first seen more than ttl ago.
  void expire(util::SteadyTime now);
  size_t size() const { return ids_.size(); }

 private:
  std::chrono::steady_clock::duration ttl_;
  std::unordered_set<MessageId> ids_;
  std::deque<std::pair<util::SteadyTime, MessageId>> order_;  // by insertion time
};

}  // namespace edgevpn::p2p::pubsub
