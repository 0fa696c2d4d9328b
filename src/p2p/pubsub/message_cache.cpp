// Sliding-window cache of recent messages for gossip and IWANT replies.
#include "p2p/pubsub/message_cache.hpp"

#include <algorithm>

namespace edgevpn::p2p::pubsub {

MessageCache::MessageCache(size_t history_length, size_t history_gossip)
    : history_gossip_(std::min(history_gossip, std::max<size_t>(history_length, 1))),
      windows_(std::max<size_t>(history_length, 1)) {}

void MessageCache::put(const MessageId& id, const pb::Message& message) {
  if (entries_.count(id) != 0) return;
  entries_.emplace(id, Entry{message, {}});
  windows_.front().push_back(WindowItem{id, message.topic()});
}

const pb::Message* MessageCache::get(const MessageId& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second.message;
}

const pb::Message* MessageCache::get_for_peer(const MessageId& id, const crypto::PeerId& peer,
                                              size_t& count) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return nullptr;
  count = ++it->second.transmissions[peer];
  return &it->second.message;
}

std::vector<MessageId> MessageCache::gossip_ids(const std::string& topic) const {
  std::vector<MessageId> ids;
  for (size_t i = 0; i < history_gossip_ && i < windows_.size(); ++i) {
    for (const auto& item : windows_[i]) {
      if (item.topic == topic) ids.push_back(item.id);
    }
  }
  return ids;
}

void MessageCache::shift() {
  for (const auto& item : windows_.back()) entries_.erase(item.id);
  windows_.pop_back();
  windows_.emplace_front();
}

}  // namespace edgevpn::p2p::pubsub
