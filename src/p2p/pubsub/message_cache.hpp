// The gossipsub message cache (gossipsub-v1.0 "Message Cache"): full messages of the last
// `history_length` heartbeat windows, for IWANT replies, and the IDs of the most recent
// `history_gossip` windows, for IHAVE gossip.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/pubsub/message_signing.hpp"
#include "p2p/pubsub/rpc_codec.hpp"

namespace edgevpn::p2p::pubsub {

class MessageCache {
 public:
  MessageCache(size_t history_length, size_t history_gossip);

  // Stores a message in the newest window; a message already cached is left alone.
  void put(const MessageId& id, const pb::Message& message);
  const pb::Message* get(const MessageId& id) const;
  // For an IWANT reply: the message and how many times `peer` has now asked for it (1 the first
  // time), or nullptr when not cached.
  const pb::Message* get_for_peer(const MessageId& id, const crypto::PeerId& peer, size_t& count);
  // IDs of the gossip windows for `topic`, newest first.
  std::vector<MessageId> gossip_ids(const std::string& topic) const;
  // Starts a new window and drops the oldest one (called at every heartbeat).
  void shift();
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    pb::Message message;
    std::unordered_map<crypto::PeerId, size_t> transmissions;
  };
  struct WindowItem {
    MessageId id;
    std::string topic;
  };
  size_t history_gossip_;
  std::deque<std::vector<WindowItem>> windows_;  // front = newest
  std::unordered_map<MessageId, Entry> entries_;
};

}  // namespace edgevpn::p2p::pubsub
