// Per-peer outgoing RPC batching: subscriptions, messages and control entries queued for a peer
// are merged into one length-prefixed RPC frame, split so that no frame exceeds the peer's
// maximum RPC size.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/pubsub/rpc_codec.hpp"
#include "util/bytes.hpp"

namespace edgevpn::p2p::pubsub {

class Outbox {
 public:
  explicit Outbox(size_t max_rpc_size) : max_rpc_size_(max_rpc_size) {}

  void add_subscription(const crypto::PeerId& peer, const std::string& topic, bool subscribe);
  // `encoded` is a serialized pb::Message (serialize once, send to many peers). Returns false,
  // queueing nothing, when the message alone does not fit in an RPC.
  bool add_message(const crypto::PeerId& peer, const std::string& encoded);
  void add_graft(const crypto::PeerId& peer, const std::string& topic);
  void add_prune(const crypto::PeerId& peer, pb::ControlPrune prune);
  void add_ihave(const crypto::PeerId& peer, const std::string& topic,
                 const std::vector<std::string>& ids);
  void add_iwant(const crypto::PeerId& peer, const std::vector<std::string>& ids);
  void add_idontwant(const crypto::PeerId& peer, const std::vector<std::string>& ids);

  // Forgets everything queued for a peer that went away.
  void drop(const crypto::PeerId& peer);
  // Frames every pending RPC and hands over all frames, in queueing order per peer.
  std::vector<std::pair<crypto::PeerId, util::Bytes>> take();
  bool empty() const { return pending_.empty() && ready_.empty(); }

 private:
  struct Pending {
    std::string fields;  // encoded RPC fields 1 (subscriptions) and 2 (publish)
    pb::ControlMessage control;
    size_t control_size = 0;  // running estimate of control.ByteSizeLong()
  };
  Pending& room_for(const crypto::PeerId& peer, size_t extra);
  void flush(const crypto::PeerId& peer, Pending& pending);
  static bool has_prune(const pb::ControlMessage& control, const std::string& topic);

  size_t max_rpc_size_;
  std::unordered_map<crypto::PeerId, Pending> pending_;
  std::vector<std::pair<crypto::PeerId, util::Bytes>> ready_;
};

}  // namespace edgevpn::p2p::pubsub
