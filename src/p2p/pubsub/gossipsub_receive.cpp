// GossipSub receive path: RPC decoding, subscription changes, message validation (StrictSign),
// dedupe, delivery and forwarding, and the IHAVE/IWANT/GRAFT/PRUNE/IDONTWANT handlers.
#include <algorithm>
#include <unordered_set>

#include "p2p/pubsub/gossipsub_router.hpp"

namespace edgevpn::p2p::pubsub {
namespace {

// Subscriptions remembered per peer, and the longest topic name kept: more is a flood, not a use
// (EdgeVPN topics are 32 characters).
constexpr size_t kMaxTopicsPerPeer = 1000;
constexpr size_t kMaxTopicLength = 1024;
// Largest backoff a PRUNE may ask for.
constexpr uint64_t kMaxPruneBackoffSeconds = 24ULL * 3600;

}  // namespace

util::Status GossipsubRouter::on_rpc_bytes(const crypto::PeerId& peer, util::ByteView bytes,
                                           util::SteadyTime now) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return util::make_error(util::Errc::kNotFound, "unknown pubsub peer");
  std::vector<pb::RPC> rpcs;
  util::Status status = it->second.decoder.feed(bytes, rpcs);
  // Frames completed before a bad one are still handled, as a stream reader would have.
  for (auto& rpc : rpcs) handle_rpc(peer, rpc, now);
  return status;
}

void GossipsubRouter::restart_inbound(const crypto::PeerId& peer) {
  auto it = peers_.find(peer);
  if (it != peers_.end()) it->second.decoder = RpcDecoder(max_rpc_size());
}

void GossipsubRouter::handle_rpc(const crypto::PeerId& from, pb::RPC& rpc, util::SteadyTime now) {
  PeerState& state = peers_.at(from);
  // The topics whose mesh `from` is in before its unsubscriptions below take it out: a peer
  // leaving a topic prunes with peer exchange in the same RPC.
  std::vector<std::string> meshed;
  if (rpc.has_control()) {
    for (const auto& prune : rpc.control().prune()) {
      auto mesh = mesh_.find(prune.topicid());
      if (mesh != mesh_.end() && mesh->second.count(from) != 0) meshed.push_back(prune.topicid());
    }
  }
  for (const auto& opts : rpc.subscriptions()) handle_subscription(from, state, opts);

  const bool control = rpc.has_control() && state.protocol != Protocol::kFloodsub;
  if (control) handle_idontwant(from, state, rpc.control());

  std::vector<std::pair<std::string, MessageId>> large;
  for (const auto& message : rpc.publish()) handle_message(from, message, now, large);
  if (!large.empty()) send_idontwant(from, large);

  if (!control) return;
  const pb::ControlMessage& ctl = rpc.control();
  handle_ihave(from, state, ctl);
  handle_iwant(from, state, ctl);
  handle_graft(from, state, ctl, now);
  handle_prune(from, ctl, meshed, now);
}

void GossipsubRouter::handle_subscription(const crypto::PeerId& peer, PeerState& state,
                                          const pb::RPC::SubOpts& opts) {
  if (!opts.has_topicid()) return;
  const std::string& topic = opts.topicid();
  if (opts.subscribe()) {
    if (state.topics.count(topic) != 0) return;
    if (state.topics.size() >= kMaxTopicsPerPeer || topic.size() > kMaxTopicLength) {
      misbehaved(peer, "too many subscriptions");
      return;
    }
    state.topics.insert(topic);
    topic_peers_[topic].insert(peer);
    events_.emplace_back(SubscriptionEvent{peer, topic, true});
    return;
  }
  if (state.topics.erase(topic) == 0) return;
  events_.emplace_back(SubscriptionEvent{peer, topic, false});
  auto topic_it = topic_peers_.find(topic);
  if (topic_it != topic_peers_.end()) {
    topic_it->second.erase(peer);
    if (topic_it->second.empty()) topic_peers_.erase(topic_it);
  }
  if (auto mesh_it = mesh_.find(topic); mesh_it != mesh_.end()) mesh_it->second.erase(peer);
  if (auto fanout_it = fanout_.find(topic); fanout_it != fanout_.end()) {
    fanout_it->second.erase(peer);
  }
}

void GossipsubRouter::handle_message(const crypto::PeerId& from, const pb::Message& message,
                                     util::SteadyTime now,
                                     std::vector<std::pair<std::string, MessageId>>& large) {
  if (!message.has_topic()) {
    misbehaved(from, "message without topic");
    return;
  }
  const std::string& topic = message.topic();
  if (mesh_.count(topic) == 0) return;  // not subscribed: neither delivered nor relayed
  if (message.data().size() > config_.max_message_size) {
    misbehaved(from, "message over max message size");
    return;
  }
  MessageId id = default_message_id(message);
  if (seen_.contains(id)) return;
  if (message.from() == util::as_string_view(self_.bytes())) return;  // ours, echoed back

  auto author = verify_strict_sign(message);
  if (!author.ok()) {
    misbehaved(from, "invalid message: " + author.error().message);
    return;
  }
  seen_.insert(id, now);
  mcache_.put(id, message);
  if (message.data().size() >= config_.idontwant_threshold) large.emplace_back(topic, id);

  events_.emplace_back(MessageEvent{topic, util::to_bytes(message.data()), *author, from, id});
  forward(message, id, from, *author, false, now);
}

void GossipsubRouter::send_idontwant(const crypto::PeerId& from,
                                     std::vector<std::pair<std::string, MessageId>>& large) {
  std::sort(large.begin(), large.end());
  for (size_t begin = 0; begin < large.size();) {
    size_t end = begin;
    std::vector<MessageId> ids;
    while (end < large.size() && large[end].first == large[begin].first) {
      ids.push_back(large[end].second);
      ++end;
    }
    shuffle(ids);
    auto mesh_it = mesh_.find(large[begin].first);
    if (mesh_it != mesh_.end()) {
      for (const auto& peer : mesh_it->second) {
        if (peer == from) continue;
        auto state_it = peers_.find(peer);
        if (state_it != peers_.end() && state_it->second.protocol == Protocol::kMeshsub12) {
          outbox_.add_idontwant(peer, ids);
        }
      }
    }
    begin = end;
  }
}

void GossipsubRouter::handle_ihave(const crypto::PeerId& peer, PeerState& state,
                                   const pb::ControlMessage& ctl) {
  if (ctl.ihave_size() == 0) return;
  if (++state.ihave_count > config_.max_ihave_messages) return;
  if (state.iwant_asked >= config_.max_ihave_length) return;

  std::unordered_set<MessageId> wanted;
  std::vector<MessageId> ask;
  for (const auto& ihave : ctl.ihave()) {
    if (mesh_.count(ihave.topicid()) == 0) continue;
    const int limit = static_cast<int>(std::min<size_t>(config_.max_ihave_length, 1 << 30));
    for (int i = 0; i < ihave.messageids_size() && i < limit; ++i) {
      const auto& id = ihave.messageids(i);
      if (seen_.contains(id)) continue;
      if (wanted.insert(id).second) ask.push_back(id);
    }
  }
  if (ask.empty()) return;
  shuffle(ask);
  const size_t allowed = config_.max_ihave_length - state.iwant_asked;
  if (ask.size() > allowed) ask.resize(allowed);
  state.iwant_asked += ask.size();
  outbox_.add_iwant(peer, ask);
}

void GossipsubRouter::handle_iwant(const crypto::PeerId& peer, PeerState& state,
                                   const pb::ControlMessage& ctl) {
  size_t handled = 0;
  std::unordered_set<MessageId> sent;
  for (const auto& iwant : ctl.iwant()) {
    for (const auto& id : iwant.messageids()) {
      if (++handled > config_.max_ihave_length) return;
      if (state.dont_want.count(id) != 0 || sent.count(id) != 0) continue;
      size_t count = 0;
      const pb::Message* message = mcache_.get_for_peer(id, peer, count);
      if (message == nullptr || count > config_.gossip_retransmission) continue;
      sent.insert(id);
      outbox_.add_message(peer, message->SerializeAsString());
    }
  }
}

void GossipsubRouter::handle_graft(const crypto::PeerId& peer, PeerState& state,
                                   const pb::ControlMessage& ctl, util::SteadyTime now) {
  if (ctl.graft_size() == 0) return;
  std::vector<std::string> prune;
  bool px = config_.peer_exchange;
  for (const auto& graft : ctl.graft()) {
    const std::string& topic = graft.topicid();
    auto mesh_it = mesh_.find(topic);
    if (mesh_it == mesh_.end()) {
      px = false;  // never leak peers of topics we are not in; GRAFT spam is ignored
      continue;
    }
    PeerSet& mesh = mesh_it->second;
    if (mesh.count(peer) != 0) continue;
    if (is_direct(peer)) {
      // Direct peers are never in the mesh; a non-reciprocal configuration, tell them.
      prune.push_back(topic);
      px = false;
      continue;
    }
    if (is_backing_off(topic, peer, now)) {
      misbehaved(peer, "GRAFT during backoff");
      px = false;
      add_backoff(peer, topic, config_.prune_backoff, now);
      prune.push_back(topic);
      continue;
    }
    // At Dhi only outbound peers may join: resists mesh takeover by inbound floods.
    if (mesh.size() >= config_.d_high && !state.outbound) {
      add_backoff(peer, topic, config_.prune_backoff, now);
      prune.push_back(topic);
      continue;
    }
    mesh.insert(peer);
  }
  for (const auto& topic : prune) outbox_.add_prune(peer, make_prune(peer, topic, px, false));
}

void GossipsubRouter::handle_prune(const crypto::PeerId& peer, const pb::ControlMessage& ctl,
                                   const std::vector<std::string>& meshed, util::SteadyTime now) {
  for (const auto& prune : ctl.prune()) {
    auto mesh_it = mesh_.find(prune.topicid());
    if (mesh_it == mesh_.end()) continue;
    mesh_it->second.erase(peer);
    const bool was_mesh = std::find(meshed.begin(), meshed.end(), prune.topicid()) != meshed.end();
    std::chrono::steady_clock::duration backoff = config_.prune_backoff;
    if (prune.has_backoff()) {
      backoff = std::chrono::seconds(std::min(prune.backoff(), kMaxPruneBackoffSeconds));
    }
    add_backoff(peer, prune.topicid(), backoff, now);

    // Peer exchange only from a peer of our mesh (it knew the topic and was grafted; go-libp2p
    // asks for a positive score), within the per-minute dial budget.
    if (!was_mesh || prune.peers_size() == 0) continue;
    if (now - px_window_start_ >= std::chrono::minutes(1)) {
      px_window_start_ = now;
      px_dials_left_ = config_.px_dials_per_minute;
      std::erase_if(px_offered_, [&](const auto& offered) {
        return now - offered.second >= config_.px_redial_after;
      });
    }
    std::vector<const pb::PeerInfo*> offered;
    for (const auto& info : prune.peers()) offered.push_back(&info);
    if (offered.size() > config_.prune_peers) {
      shuffle(offered);
      offered.resize(config_.prune_peers);
    }
    for (const auto* info : offered) {
      auto candidate = crypto::PeerId::from_bytes(util::as_bytes(info->peerid()));
      if (!candidate.ok() || *candidate == self_ || peers_.count(*candidate) != 0) continue;
      if (px_dials_left_ == 0) break;
      if (!px_offered_.try_emplace(*candidate, now).second) continue;
      --px_dials_left_;
      events_.emplace_back(DialPeerEvent{std::move(candidate).value(),
                                         util::to_bytes(info->signedpeerrecord()),
                                         DialReason::kPeerExchange});
    }
  }
}

void GossipsubRouter::handle_idontwant(const crypto::PeerId& peer, PeerState& state,
                                       const pb::ControlMessage& ctl) {
  if (ctl.idontwant_size() == 0) return;
  if (state.idontwant_count >= config_.max_idontwant_messages) return;
  ++state.idontwant_count;
  size_t taken = 0;
  for (const auto& idontwant : ctl.idontwant()) {
    for (const auto& id : idontwant.messageids()) {
      if (taken++ >= config_.max_idontwant_length) return;
      state.dont_want[id] = config_.idontwant_ttl_heartbeats;
    }
  }
}

}  // namespace edgevpn::p2p::pubsub
