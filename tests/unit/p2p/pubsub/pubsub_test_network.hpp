// Test harness for the gossipsub router: several routers wired in memory (frames moved between
// them until quiet, with an optional hook to inspect or tamper with each RPC) and "fake" peers
// that hand-craft RPCs into a single router.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/pubsub/gossipsub_router.hpp"
#include "p2p/pubsub/rpc_codec.hpp"

namespace edgevpn::p2p::pubsub::testing {

using namespace std::chrono_literals;

inline crypto::PrivateKey test_key(uint32_t index) {
  std::array<uint8_t, 32> seed{};
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(index * 31 + i + 7);
  seed[0] = static_cast<uint8_t>(index);
  seed[1] = static_cast<uint8_t>(index >> 8);
  return crypto::PrivateKey::ed25519_from_seed(seed);
}

inline crypto::PeerId peer_of(const crypto::PrivateKey& key) {
  return crypto::PeerId::from_public_key(key.public_key());
}

// Decodes length-prefixed frames (whole frames only) into RPCs.
inline std::vector<pb::RPC> decode_frames(const util::Bytes& bytes) {
  std::vector<pb::RPC> rpcs;
  RpcDecoder decoder(64 << 20);
  EXPECT_TRUE(decoder.feed(bytes, rpcs).ok());
  return rpcs;
}

// The RPCs `router` queued for `peer`; frames for other peers are discarded.
inline std::vector<pb::RPC> drain_for(GossipsubRouter& router, const crypto::PeerId& peer) {
  std::vector<pb::RPC> out;
  for (auto& [to, frame] : router.take_outgoing()) {
    if (to != peer) continue;
    for (auto& rpc : decode_frames(frame)) out.push_back(std::move(rpc));
  }
  return out;
}

struct NodeLog {
  std::vector<MessageEvent> messages;
  std::vector<DialPeerEvent> dials;
  std::vector<PeerMisbehavedEvent> misbehaviours;
};

class TestNetwork {
 public:
  // Called for each RPC in flight; may modify it (e.g. strip messages to simulate loss).
  using Hook = std::function<void(size_t from, size_t to, pb::RPC& rpc)>;

  explicit TestNetwork(size_t count, RouterConfig config = {}, uint64_t seed = 1) {
    for (size_t i = 0; i < count; ++i) {
      keys_.push_back(test_key(static_cast<uint32_t>(i + seed * 1000)));
      ids_.push_back(peer_of(keys_.back()));
      index_[ids_.back()] = i;
      routers_.push_back(
          std::make_unique<GossipsubRouter>(keys_.back(), config, seed * 7919 + i, now_));
    }
    logs_.resize(count);
  }

  size_t size() const { return routers_.size(); }
  GossipsubRouter& node(size_t i) { return *routers_[i]; }
  const crypto::PeerId& id(size_t i) const { return ids_[i]; }
  size_t index_of(const crypto::PeerId& peer) const { return index_.at(peer); }
  NodeLog& log(size_t i) { return logs_[i]; }
  util::SteadyTime now() const { return now_; }
  void set_hook(Hook hook) { hook_ = std::move(hook); }

  // `dialer` opened the connection to `listener`.
  void connect(size_t dialer, size_t listener, Protocol protocol = Protocol::kMeshsub12) {
    routers_[dialer]->add_peer(ids_[listener], protocol, true);
    routers_[listener]->add_peer(ids_[dialer], protocol, false);
  }
  void disconnect(size_t a, size_t b) {
    routers_[a]->remove_peer(ids_[b]);
    routers_[b]->remove_peer(ids_[a]);
  }

  void subscribe_all(const std::string& topic) {
    for (auto& router : routers_) router->subscribe(topic, now_);
    deliver();
  }

  // Moves frames until no router has anything to send; returns the number of frames moved.
  size_t deliver() {
    size_t moved = 0;
    for (int round = 0; round < 10'000; ++round) {
      bool any = false;
      for (size_t from = 0; from < routers_.size(); ++from) {
        for (auto& [to_peer, frame] : routers_[from]->take_outgoing()) {
          any = true;
          ++moved;
          const size_t to = index_.at(to_peer);
          util::Bytes bytes = frame;
          if (hook_) {
            bytes.clear();
            for (auto& rpc : decode_frames(frame)) {
              hook_(from, to, rpc);
              auto again = encode_frame(rpc);
              util::append(bytes, again);
            }
          }
          auto status = routers_[to]->on_rpc_bytes(ids_[from], bytes, now_);
          EXPECT_TRUE(status.ok()) << status.error().describe();
        }
      }
      collect_events();
      if (!any) return moved;
    }
    ADD_FAILURE() << "network never went quiet";
    return moved;
  }

  // Advances time by `step` and runs every due heartbeat, then delivers.
  void advance(std::chrono::milliseconds step) {
    now_ += step;
    for (auto& router : routers_) router->on_timer(now_);
    collect_events();
    deliver();
  }
  void heartbeats(int count) {
    for (int i = 0; i < count; ++i) advance(1000ms);
  }

  MessageId publish(size_t node, const std::string& topic, const std::string& data) {
    auto id = routers_[node]->publish(topic, util::as_bytes(data), now_);
    EXPECT_TRUE(id.ok());
    deliver();
    return id.ok() ? *id : MessageId{};
  }

  // How many times `node` received a message with this ID.
  size_t received(size_t node, const MessageId& id) const {
    size_t count = 0;
    for (const auto& message : logs_[node].messages) count += message.id == id ? 1 : 0;
    return count;
  }

 private:
  void collect_events() {
    for (size_t i = 0; i < routers_.size(); ++i) {
      for (auto& event : routers_[i]->take_events()) {
        if (auto* message = std::get_if<MessageEvent>(&event)) {
          logs_[i].messages.push_back(std::move(*message));
        } else if (auto* dial = std::get_if<DialPeerEvent>(&event)) {
          logs_[i].dials.push_back(std::move(*dial));
        } else if (auto* bad = std::get_if<PeerMisbehavedEvent>(&event)) {
          logs_[i].misbehaviours.push_back(std::move(*bad));
        }
      }
    }
  }

  util::SteadyTime now_{};
  std::vector<crypto::PrivateKey> keys_;
  std::vector<crypto::PeerId> ids_;
  std::unordered_map<crypto::PeerId, size_t> index_;
  std::vector<std::unique_ptr<GossipsubRouter>> routers_;
  std::vector<NodeLog> logs_;
  Hook hook_;
};

// A hand-driven remote peer talking to one router under test.
struct FakePeer {
  explicit FakePeer(uint32_t index) : key(test_key(50'000 + index)), id(peer_of(key)) {}

  util::Status send(GossipsubRouter& router, const pb::RPC& rpc, util::SteadyTime now) const {
    return router.on_rpc_bytes(id, encode_frame(rpc), now);
  }
  static pb::RPC subscribe(const std::string& topic, bool on = true) {
    pb::RPC rpc;
    auto* opts = rpc.add_subscriptions();
    opts->set_subscribe(on);
    opts->set_topicid(topic);
    return rpc;
  }
  static pb::RPC graft(const std::string& topic) {
    pb::RPC rpc;
    rpc.mutable_control()->add_graft()->set_topicid(topic);
    return rpc;
  }
  static pb::RPC prune(const std::string& topic, uint64_t backoff_seconds) {
    pb::RPC rpc;
    auto* prune = rpc.mutable_control()->add_prune();
    prune->set_topicid(topic);
    prune->set_backoff(backoff_seconds);
    return rpc;
  }
  pb::Message signed_message(const std::string& topic, const std::string& data,
                             uint64_t seqno) const {
    return make_signed_message(key, id, topic, util::as_bytes(data), seqno);
  }
  static pb::RPC carrying(const pb::Message& message) {
    pb::RPC rpc;
    *rpc.add_publish() = message;
    return rpc;
  }

  crypto::PrivateKey key;
  crypto::PeerId id;
};

inline std::vector<MessageEvent> messages_of(std::vector<RouterEvent> events) {
  std::vector<MessageEvent> out;
  for (auto& event : events) {
    if (auto* message = std::get_if<MessageEvent>(&event)) out.push_back(std::move(*message));
  }
  return out;
}

template <class T>
size_t count_events(const std::vector<RouterEvent>& events) {
  size_t count = 0;
  for (const auto& event : events) count += std::holds_alternative<T>(event) ? 1 : 0;
  return count;
}

}  // namespace edgevpn::p2p::pubsub::testing
