// GossipSub router: peers, subscriptions, publishing, forwarding and the PRUNE/backoff helpers
// shared by the receive path and the heartbeat.
#include "p2p/pubsub/gossipsub_router.hpp"

#include <algorithm>

namespace edgevpn::p2p::pubsub {

std::string_view protocol_id(Protocol protocol) {
  switch (protocol) {
    case Protocol::kFloodsub: return kFloodsubId;
    case Protocol::kMeshsub10: return kMeshsub10Id;
    case Protocol::kMeshsub11: return kMeshsub11Id;
    case Protocol::kMeshsub12: return kMeshsub12Id;
  }
  return kMeshsub12Id;
}

std::optional<Protocol> parse_protocol(std::string_view id) {
  if (id == kMeshsub12Id) return Protocol::kMeshsub12;
  if (id == kMeshsub11Id) return Protocol::kMeshsub11;
  if (id == kMeshsub10Id) return Protocol::kMeshsub10;
  if (id == kFloodsubId) return Protocol::kFloodsub;
  return std::nullopt;
}

GossipsubRouter::GossipsubRouter(crypto::PrivateKey key, RouterConfig config, uint64_t random_seed,
                                 util::SteadyTime now)
    : key_(std::move(key)),
      self_(crypto::PeerId::from_public_key(key_.public_key())),
      config_(std::move(config)),
      rng_(random_seed),
      next_seqno_(rng_()),
      next_heartbeat_(now + config_.heartbeat_initial_delay),
      direct_(config_.direct_peers.begin(), config_.direct_peers.end()),
      px_dials_left_(config_.px_dials_per_minute),
      px_window_start_(now),
      seen_(config_.seen_ttl),
      mcache_(config_.history_length, config_.history_gossip),
      outbox_(config_.max_message_size) {
  direct_.erase(self_);
}

void GossipsubRouter::add_peer(const crypto::PeerId& peer, Protocol protocol, bool outbound) {
  if (peer == self_) return;
  auto it = peers_.find(peer);
  if (it != peers_.end()) {
    it->second.protocol = protocol;
    return;
  }
  peers_.emplace(peer, PeerState{protocol, outbound, RpcDecoder(max_rpc_size()), {}, 0, 0, 0, {}});
  announce_subscriptions(peer);
}

void GossipsubRouter::announce_subscriptions(const crypto::PeerId& peer) {
  for (const auto& topic : subscribed_topics()) outbox_.add_subscription(peer, topic, true);
}

void GossipsubRouter::outbound_restarted(const crypto::PeerId& peer) {
  if (peers_.count(peer) == 0) return;
  announce_subscriptions(peer);
  for (const auto& [topic, mesh] : mesh_) {
    if (mesh.count(peer) != 0) outbox_.add_graft(peer, topic);
  }
}

void GossipsubRouter::remove_peer(const crypto::PeerId& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  for (const auto& topic : it->second.topics) {
    events_.emplace_back(SubscriptionEvent{peer, topic, false});
    auto topic_it = topic_peers_.find(topic);
    if (topic_it == topic_peers_.end()) continue;
    topic_it->second.erase(peer);
    if (topic_it->second.empty()) topic_peers_.erase(topic_it);
  }
  for (auto& [topic, mesh] : mesh_) mesh.erase(peer);
  for (auto& [topic, fanout] : fanout_) fanout.erase(peer);
  outbox_.drop(peer);
  peers_.erase(it);
}

void GossipsubRouter::subscribe(const std::string& topic, util::SteadyTime now) {
  if (mesh_.count(topic) != 0) return;
  for (const auto& [peer, state] : peers_) outbox_.add_subscription(peer, topic, true);

  PeerSet mesh;
  auto fanout_it = fanout_.find(topic);
  if (fanout_it != fanout_.end()) {
    for (const auto& peer : fanout_it->second) {
      if (!has_backoff(topic, peer) && is_meshsub(peer)) mesh.insert(peer);
    }
    fanout_.erase(fanout_it);
    fanout_last_publish_.erase(topic);
  }
  if (mesh.size() < config_.d) {
    auto more = pick_peers(topic, config_.d - mesh.size(), [&](const crypto::PeerId& peer) {
      return mesh.count(peer) == 0 && !is_direct(peer) && !has_backoff(topic, peer);
    });
    mesh.insert(more.begin(), more.end());
  }
  for (const auto& peer : mesh) outbox_.add_graft(peer, topic);
  mesh_.emplace(topic, std::move(mesh));
}

void GossipsubRouter::unsubscribe(const std::string& topic, util::SteadyTime now) {
  auto it = mesh_.find(topic);
  if (it == mesh_.end()) return;
  for (const auto& [peer, state] : peers_) outbox_.add_subscription(peer, topic, false);
  for (const auto& peer : it->second) {
    outbox_.add_prune(peer, make_prune(peer, topic, config_.peer_exchange, true));
    // Keeps us from re-grafting this peer if we rejoin before it forgot us.
    add_backoff(peer, topic, config_.unsubscribe_backoff, now);
  }
  mesh_.erase(it);
}

util::Result<MessageId> GossipsubRouter::publish(const std::string& topic, util::ByteView data,
                                                 util::SteadyTime now) {
  if (data.size() > config_.max_message_size) {
    return util::make_error(util::Errc::kTooLarge, "message larger than max message size");
  }
  pb::Message message = make_signed_message(key_, self_, topic, data, next_seqno_++);
  if (message.ByteSizeLong() + 16 > config_.max_message_size) {
    return util::make_error(util::Errc::kTooLarge, "message does not fit in an RPC");
  }
  MessageId id = default_message_id(message);
  seen_.insert(id, now);
  mcache_.put(id, message);
  forward(message, id, self_, self_, true, now);
  return id;
}

void GossipsubRouter::forward(const pb::Message& message, const MessageId& id,
                              const crypto::PeerId& source, const crypto::PeerId& author, bool own,
                              util::SteadyTime now) {
  const std::string& topic = message.topic();
  auto topic_it = topic_peers_.find(topic);
  if (topic_it == topic_peers_.end()) return;
  const PeerSet& in_topic = topic_it->second;

  PeerSet targets;
  if (own && config_.flood_publish) {
    targets = in_topic;
  } else {
    for (const auto& peer : in_topic) {
      if (is_direct(peer) || !is_meshsub(peer)) targets.insert(peer);
    }
    auto mesh_it = mesh_.find(topic);
    if (mesh_it != mesh_.end()) {
      targets.insert(mesh_it->second.begin(), mesh_it->second.end());
    } else {
      auto fanout_it = fanout_.find(topic);
      if (fanout_it == fanout_.end() || fanout_it->second.empty()) {
        auto picked = pick_peers(topic, config_.d,
                                 [&](const crypto::PeerId& peer) { return !is_direct(peer); });
        if (!picked.empty()) {
          fanout_it = fanout_.insert_or_assign(topic, PeerSet(picked.begin(), picked.end())).first;
        }
      }
      if (fanout_it != fanout_.end()) {
        targets.insert(fanout_it->second.begin(), fanout_it->second.end());
      }
      fanout_last_publish_[topic] = now;
    }
  }

  std::string encoded;
  for (const auto& peer : targets) {
    if (peer == source || peer == author) continue;
    auto state_it = peers_.find(peer);
    if (state_it == peers_.end() || state_it->second.dont_want.count(id) != 0) continue;
    if (encoded.empty()) encoded = message.SerializeAsString();
    outbox_.add_message(peer, encoded);
  }
}

pb::ControlPrune GossipsubRouter::make_prune(const crypto::PeerId& peer, const std::string& topic,
                                             bool px, bool unsubscribe) {
  pb::ControlPrune prune;
  prune.set_topicid(topic);
  auto it = peers_.find(peer);
  // meshsub/1.0.0 knows neither backoff nor peer exchange.
  if (it == peers_.end() || it->second.protocol == Protocol::kMeshsub10) return prune;
  const auto backoff = unsubscribe ? config_.unsubscribe_backoff : config_.prune_backoff;
  prune.set_backoff(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(backoff).count()));
  if (px && config_.peer_exchange) {
    auto offered = pick_peers(topic, config_.prune_peers,
                              [&](const crypto::PeerId& other) { return other != peer; });
    for (const auto& other : offered) {
      prune.add_peers()->set_peerid(util::to_string(other.bytes()));
    }
  }
  return prune;
}

void GossipsubRouter::add_backoff(const crypto::PeerId& peer, const std::string& topic,
                                  std::chrono::steady_clock::duration duration,
                                  util::SteadyTime now) {
  auto& expiry = backoff_[topic][peer];
  expiry = std::max(expiry, now + duration);
}

bool GossipsubRouter::has_backoff(const std::string& topic, const crypto::PeerId& peer) const {
  auto it = backoff_.find(topic);
  return it != backoff_.end() && it->second.count(peer) != 0;
}

bool GossipsubRouter::is_backing_off(const std::string& topic, const crypto::PeerId& peer,
                                     util::SteadyTime now) const {
  auto it = backoff_.find(topic);
  if (it == backoff_.end()) return false;
  auto peer_it = it->second.find(peer);
  return peer_it != it->second.end() && now < peer_it->second;
}

bool GossipsubRouter::is_meshsub(const crypto::PeerId& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.protocol != Protocol::kFloodsub;
}

void GossipsubRouter::misbehaved(const crypto::PeerId& peer, std::string reason) {
  // One event per burst: a single RPC can repeat the same offence thousands of times.
  if (!events_.empty()) {
    const auto* last = std::get_if<PeerMisbehavedEvent>(&events_.back());
    if (last != nullptr && last->peer == peer && last->reason == reason) return;
  }
  events_.emplace_back(PeerMisbehavedEvent{peer, std::move(reason)});
}

namespace {

template <class Map>
std::vector<crypto::PeerId> sorted_members(const Map& map, const std::string& key) {
  std::vector<crypto::PeerId> out;
  auto it = map.find(key);
  if (it != map.end()) out.assign(it->second.begin(), it->second.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> GossipsubRouter::subscribed_topics() const {
  std::vector<std::string> topics;
  for (const auto& [topic, mesh] : mesh_) topics.push_back(topic);
  std::sort(topics.begin(), topics.end());
  return topics;
}

std::vector<crypto::PeerId> GossipsubRouter::peers() const {
  std::vector<crypto::PeerId> out;
  for (const auto& [peer, state] : peers_) out.push_back(peer);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<crypto::PeerId> GossipsubRouter::topic_peers(const std::string& topic) const {
  return sorted_members(topic_peers_, topic);
}

std::vector<crypto::PeerId> GossipsubRouter::mesh_peers(const std::string& topic) const {
  return sorted_members(mesh_, topic);
}

std::vector<crypto::PeerId> GossipsubRouter::fanout_peers(const std::string& topic) const {
  return sorted_members(fanout_, topic);
}

}  // namespace edgevpn::p2p::pubsub
