// The GossipSub router core (gossipsub v1.0/v1.1/v1.2 with floodsub fallback), sans I/O: the
// host feeds it peers, stream bytes and the time; it returns framed RPCs per peer, events and
// its next deadline. One instance per host; not thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/pubsub/gossipsub_config.hpp"
#include "p2p/pubsub/message_cache.hpp"
#include "p2p/pubsub/message_signing.hpp"
#include "p2p/pubsub/outbox.hpp"
#include "p2p/pubsub/rpc_codec.hpp"
#include "p2p/pubsub/seen_cache.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::pubsub {

// A valid message of a topic we subscribe to, seen for the first time.
struct MessageEvent {
  std::string topic;
  util::Bytes data;
  crypto::PeerId from;           // the author
  crypto::PeerId received_from;  // the peer that forwarded it to us
  MessageId id;
};

enum class DialReason { kPeerExchange, kDirectPeer };

// A peer the host should connect to (learned from a PRUNE, or a direct peer not connected).
struct DialPeerEvent {
  crypto::PeerId peer;
  util::Bytes signed_peer_record;  // as received in PX (unverified); empty when absent
  DialReason reason = DialReason::kPeerExchange;
};

// A peer broke a rule; the host may count it or disconnect. The router already ignored the input.
struct PeerMisbehavedEvent {
  crypto::PeerId peer;
  std::string reason;
};

// A peer joined or left a topic (its SUBSCRIBE / UNSUBSCRIBE, or the peer went away).
struct SubscriptionEvent {
  crypto::PeerId peer;
  std::string topic;
  bool subscribed = false;
};

using RouterEvent =
    std::variant<MessageEvent, DialPeerEvent, PeerMisbehavedEvent, SubscriptionEvent>;

class GossipsubRouter {
 public:
  // `random_seed` drives peer selection and the first seqno (the host passes CSPRNG output).
  GossipsubRouter(crypto::PrivateKey key, RouterConfig config, uint64_t random_seed,
                  util::SteadyTime now);

  const crypto::PeerId& local_peer() const { return self_; }
  const RouterConfig& config() const { return config_; }
  // Largest RPC frame body accepted from a peer.
  size_t max_rpc_size() const { return config_.max_message_size + kRpcOverhead; }

  // A pubsub stream with `peer` is up, speaking `protocol`; `outbound` when we dialed the
  // connection. Queues our subscriptions for it. Adding a known peer updates its protocol.
  void add_peer(const crypto::PeerId& peer, Protocol protocol, bool outbound);
  // Our stream to a known peer was replaced after a failure: the far side may be a new pubsub
  // instance (Go EdgeVPN makes one per ledger epoch) that has not heard our subscriptions or
  // GRAFTs; queues them again.
  void outbound_restarted(const crypto::PeerId& peer);
  void remove_peer(const crypto::PeerId& peer);
  // Bytes read from the peer's inbound pubsub stream, in order. An error (kTooLarge, kMalformed,
  // kNotFound for an unknown peer) means: close the stream and count it. Frames completed before
  // the bad one are handled; later bytes fail until restart_inbound().
  util::Status on_rpc_bytes(const crypto::PeerId& peer, util::ByteView bytes, util::SteadyTime now);
  // The peer opened a new inbound stream (the previous one ended or failed): drop partial bytes
  // and clear a failed decoder.
  void restart_inbound(const crypto::PeerId& peer);

  // Joins a topic: announces it to every peer and grafts a mesh (fanout peers first).
  void subscribe(const std::string& topic, util::SteadyTime now);
  // Leaves a topic: announces it and prunes the mesh (with the unsubscribe backoff).
  void unsubscribe(const std::string& topic, util::SteadyTime now);
  // Signs and sends a message; returns its ID. kTooLarge when it does not fit in an RPC.
  util::Result<MessageId> publish(const std::string& topic, util::ByteView data,
                                  util::SteadyTime now);

  // Runs the heartbeat when it is due; the host calls this at next_deadline().
  void on_timer(util::SteadyTime now);
  void heartbeat(util::SteadyTime now);
  util::SteadyTime next_deadline() const { return next_heartbeat_; }

  // Frames to write, per peer, in order (each already length-prefixed).
  std::vector<std::pair<crypto::PeerId, util::Bytes>> take_outgoing() { return outbox_.take(); }
  std::vector<RouterEvent> take_events() { return std::exchange(events_, {}); }

  // Introspection (sorted lists).
  std::vector<std::string> subscribed_topics() const;
  std::vector<crypto::PeerId> peers() const;
  std::vector<crypto::PeerId> topic_peers(const std::string& topic) const;
  std::vector<crypto::PeerId> mesh_peers(const std::string& topic) const;
  std::vector<crypto::PeerId> fanout_peers(const std::string& topic) const;
  bool is_backing_off(const std::string& topic, const crypto::PeerId& peer,
                      util::SteadyTime now) const;
  size_t seen_count() const { return seen_.size(); }

 private:
  // Queues our subscription to every topic we are in for `peer`.
  void announce_subscriptions(const crypto::PeerId& peer);
  using PeerSet = std::unordered_set<crypto::PeerId>;
  struct PeerState {
    Protocol protocol = Protocol::kMeshsub12;
    bool outbound = false;
    RpcDecoder decoder;
    std::unordered_set<std::string> topics;
    size_t ihave_count = 0;                           // IHAVE RPCs this heartbeat
    size_t iwant_asked = 0;                           // IDs asked for this heartbeat
    size_t idontwant_count = 0;                       // IDONTWANT RPCs this heartbeat
    std::unordered_map<MessageId, size_t> dont_want;  // ID -> heartbeats left
  };

  // Receive path (gossipsub_receive.cpp).
  void handle_rpc(const crypto::PeerId& from, pb::RPC& rpc, util::SteadyTime now);
  void handle_subscription(const crypto::PeerId& peer, PeerState& state,
                           const pb::RPC::SubOpts& opts);
  // Appends (topic, ID) of large accepted messages to `large` (for IDONTWANT).
  void handle_message(const crypto::PeerId& from, const pb::Message& message, util::SteadyTime now,
                      std::vector<std::pair<std::string, MessageId>>& large);
  void send_idontwant(const crypto::PeerId& from,
                      std::vector<std::pair<std::string, MessageId>>& large);
  void handle_ihave(const crypto::PeerId& peer, PeerState& state, const pb::ControlMessage& ctl);
  void handle_iwant(const crypto::PeerId& peer, PeerState& state, const pb::ControlMessage& ctl);
  void handle_graft(const crypto::PeerId& peer, PeerState& state, const pb::ControlMessage& ctl,
                    util::SteadyTime now);
  void handle_prune(const crypto::PeerId& peer, const pb::ControlMessage& ctl,
                    const std::vector<std::string>& meshed, util::SteadyTime now);
  void handle_idontwant(const crypto::PeerId& peer, PeerState& state,
                        const pb::ControlMessage& ctl);

  // Heartbeat parts (gossipsub_heartbeat.cpp).
  void maintain_mesh(const std::string& topic, PeerSet& mesh, util::SteadyTime now,
                     std::unordered_map<crypto::PeerId, std::vector<std::string>>& to_graft,
                     std::unordered_map<crypto::PeerId, std::vector<std::string>>& to_prune);
  void maintain_fanout(util::SteadyTime now);
  void emit_gossip(const std::string& topic, const PeerSet& exclude);
  void expire_backoffs(util::SteadyTime now);
  void connect_direct_peers();

  // Shared helpers (gossipsub_router.cpp).
  void forward(const pb::Message& message, const MessageId& id, const crypto::PeerId& source,
               const crypto::PeerId& author, bool own, util::SteadyTime now);
  // Up to `count` random meshsub peers of `topic` that pass `keep`.
  template <class Keep>
  std::vector<crypto::PeerId> pick_peers(const std::string& topic, size_t count, Keep keep);
  pb::ControlPrune make_prune(const crypto::PeerId& peer, const std::string& topic, bool px,
                              bool unsubscribe);
  void add_backoff(const crypto::PeerId& peer, const std::string& topic,
                   std::chrono::steady_clock::duration duration, util::SteadyTime now);
  bool has_backoff(const std::string& topic, const crypto::PeerId& peer) const;
  bool is_meshsub(const crypto::PeerId& peer) const;
  bool is_direct(const crypto::PeerId& peer) const { return direct_.count(peer) != 0; }
  void misbehaved(const crypto::PeerId& peer, std::string reason);
  template <class T>
  void shuffle(std::vector<T>& items) {
    std::shuffle(items.begin(), items.end(), rng_);
  }

  crypto::PrivateKey key_;
  crypto::PeerId self_;
  RouterConfig config_;
  std::mt19937_64 rng_;
  uint64_t next_seqno_;
  util::SteadyTime next_heartbeat_;
  uint64_t heartbeat_ticks_ = 0;

  std::unordered_map<crypto::PeerId, PeerState> peers_;
  std::unordered_map<std::string, PeerSet> topic_peers_;
  std::unordered_map<std::string, PeerSet> mesh_;  // one entry per subscribed topic
  std::unordered_map<std::string, PeerSet> fanout_;
  std::unordered_map<std::string, util::SteadyTime> fanout_last_publish_;
  std::unordered_map<std::string, std::unordered_map<crypto::PeerId, util::SteadyTime>> backoff_;
  PeerSet direct_;
  // Peer exchange: dials left in the current minute, and peers offered recently.
  size_t px_dials_left_ = 0;
  util::SteadyTime px_window_start_{};
  std::unordered_map<crypto::PeerId, util::SteadyTime> px_offered_;

  SeenCache seen_;
  MessageCache mcache_;
  Outbox outbox_;
  std::vector<RouterEvent> events_;
};

template <class Keep>
std::vector<crypto::PeerId> GossipsubRouter::pick_peers(const std::string& topic, size_t count,
                                                        Keep keep) {
  std::vector<crypto::PeerId> picked;
  auto it = topic_peers_.find(topic);
  if (it == topic_peers_.end()) return picked;
  for (const auto& peer : it->second) {
    if (is_meshsub(peer) && keep(peer)) picked.push_back(peer);
  }
  std::sort(picked.begin(), picked.end());  // the outcome depends on the seed only
  shuffle(picked);
  if (picked.size() > count) picked.resize(count);
  return picked;
}

}  // namespace edgevpn::p2p::pubsub
