// First-seen time cache of message IDs.
#include "p2p/pubsub/seen_cache.hpp"

namespace edgevpn::p2p::pubsub {

bool SeenCache::insert(const MessageId& id, util::SteadyTime now) {
  if (!ids_.insert(id).second) return false;
  order_.emplace_back(now + ttl_, id);
  return true;
}

void SeenCache::expire(util::SteadyTime now) {
  while (!order_.empty() && order_.front().first <= now) {
    ids_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace edgevpn::p2p::pubsub
