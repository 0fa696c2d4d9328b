// GossipSub heartbeat: mesh maintenance (Dlo/D/Dhi with the Dout outbound quota), fanout
// upkeep and expiry, IHAVE gossip, cache windows, backoff expiry and direct peer reconnects.
#include <algorithm>
#include <cstdint>

#include "p2p/pubsub/gossipsub_router.hpp"

namespace edgevpn::p2p::pubsub {

void GossipsubRouter::on_timer(util::SteadyTime now) {
  if (now >= next_heartbeat_) heartbeat(now);
}

void GossipsubRouter::heartbeat(util::SteadyTime now) {
  ++heartbeat_ticks_;
  next_heartbeat_ = now + config_.heartbeat_interval;

  expire_backoffs(now);
  for (auto& [peer, state] : peers_) {
    state.ihave_count = 0;
    state.iwant_asked = 0;
    state.idontwant_count = 0;
    for (auto it = state.dont_want.begin(); it != state.dont_want.end();) {
      it = --it->second == 0 ? state.dont_want.erase(it) : std::next(it);
    }
  }
  if (heartbeat_ticks_ == 1 ||
      (config_.direct_connect_ticks > 0 && heartbeat_ticks_ % config_.direct_connect_ticks == 0)) {
    connect_direct_peers();
  }

  std::unordered_map<crypto::PeerId, std::vector<std::string>> to_graft;
  std::unordered_map<crypto::PeerId, std::vector<std::string>> to_prune;
  for (auto& [topic, mesh] : mesh_) {
    maintain_mesh(topic, mesh, now, to_graft, to_prune);
    emit_gossip(topic, mesh);
  }
  maintain_fanout(now);

  for (const auto& [peer, topics] : to_graft) {
    for (const auto& topic : topics) outbox_.add_graft(peer, topic);
  }
  for (const auto& [peer, topics] : to_prune) {
    for (const auto& topic : topics) {
      outbox_.add_prune(peer, make_prune(peer, topic, config_.peer_exchange, false));
    }
  }
  mcache_.shift();
  seen_.expire(now);
}

void GossipsubRouter::maintain_mesh(
    const std::string& topic, PeerSet& mesh, util::SteadyTime now,
    std::unordered_map<crypto::PeerId, std::vector<std::string>>& to_graft,
    std::unordered_map<crypto::PeerId, std::vector<std::string>>& to_prune) {
  auto graft = [&](const crypto::PeerId& peer) {
    mesh.insert(peer);
    to_graft[peer].push_back(topic);
  };
  auto is_outbound = [&](const crypto::PeerId& peer) {
    auto it = peers_.find(peer);
    return it != peers_.end() && it->second.outbound;
  };
  auto candidate = [&](const crypto::PeerId& peer) {
    return mesh.count(peer) == 0 && !has_backoff(topic, peer) && !is_direct(peer);
  };

  if (mesh.size() < config_.d_low && mesh.size() < config_.d) {
    for (const auto& peer : pick_peers(topic, config_.d - mesh.size(), candidate)) graft(peer);
  }

  if (mesh.size() > config_.d_high) {
    std::vector<crypto::PeerId> ranked(mesh.begin(), mesh.end());
    std::sort(ranked.begin(), ranked.end());
    shuffle(ranked);
    const size_t keep = std::min(config_.d, ranked.size());
    size_t outbound = 0;
    for (size_t i = 0; i < keep; ++i) outbound += is_outbound(ranked[i]) ? 1 : 0;
    if (outbound < config_.d_out) {
      // Move outbound peers to the front so that at least Dout of them survive the cut.
      auto rotate_to_front = [&](size_t i) {
        std::rotate(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(i),
                    ranked.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      };
      size_t left = outbound;
      for (size_t i = 1; i < keep && left > 0; ++i) {
        if (is_outbound(ranked[i])) {
          rotate_to_front(i);
          --left;
        }
      }
      size_t needed = config_.d_out - outbound;
      for (size_t i = keep; i < ranked.size() && needed > 0; ++i) {
        if (is_outbound(ranked[i])) {
          rotate_to_front(i);
          --needed;
        }
      }
    }
    for (size_t i = keep; i < ranked.size(); ++i) {
      mesh.erase(ranked[i]);
      add_backoff(ranked[i], topic, config_.prune_backoff, now);
      to_prune[ranked[i]].push_back(topic);
    }
  }

  if (mesh.size() >= config_.d_low) {
    size_t outbound = 0;
    for (const auto& peer : mesh) outbound += is_outbound(peer) ? 1 : 0;
    if (outbound < config_.d_out) {
      auto picked = pick_peers(topic, config_.d_out - outbound, [&](const crypto::PeerId& peer) {
        return candidate(peer) && is_outbound(peer);
      });
      for (const auto& peer : picked) graft(peer);
    }
  }
}

void GossipsubRouter::maintain_fanout(util::SteadyTime now) {
  for (auto it = fanout_last_publish_.begin(); it != fanout_last_publish_.end();) {
    if (it->second + config_.fanout_ttl < now) {
      fanout_.erase(it->first);
      it = fanout_last_publish_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& entry : fanout_) {
    const std::string& topic = entry.first;
    PeerSet& fanout = entry.second;
    auto topic_it = topic_peers_.find(topic);
    std::erase_if(fanout, [&](const crypto::PeerId& peer) {
      return topic_it == topic_peers_.end() || topic_it->second.count(peer) == 0;
    });
    if (fanout.size() < config_.d) {
      auto picked = pick_peers(topic, config_.d - fanout.size(), [&](const crypto::PeerId& peer) {
        return fanout.count(peer) == 0 && !is_direct(peer);
      });
      fanout.insert(picked.begin(), picked.end());
    }
    emit_gossip(topic, fanout);
  }
}

void GossipsubRouter::emit_gossip(const std::string& topic, const PeerSet& exclude) {
  std::vector<MessageId> ids = mcache_.gossip_ids(topic);
  if (ids.empty()) return;
  if (ids.size() > config_.max_ihave_length) {
    shuffle(ids);
    ids.resize(config_.max_ihave_length);
  }
  std::vector<crypto::PeerId> targets = pick_peers(topic, SIZE_MAX, [&](const crypto::PeerId& p) {
    return exclude.count(p) == 0 && !is_direct(p);
  });
  const auto by_factor =
      static_cast<size_t>(config_.gossip_factor * static_cast<double>(targets.size()));
  const size_t count = std::min(targets.size(), std::max(config_.d_lazy, by_factor));
  targets.resize(count);  // already shuffled by pick_peers
  for (const auto& peer : targets) outbox_.add_ihave(peer, topic, ids);
}

void GossipsubRouter::expire_backoffs(util::SteadyTime now) {
  // Kept two heartbeats past expiry so that a GRAFT racing the expiry is not punished.
  const auto slack = 2 * config_.heartbeat_interval;
  for (auto it = backoff_.begin(); it != backoff_.end();) {
    std::erase_if(it->second, [&](const auto& entry) { return entry.second + slack < now; });
    it = it->second.empty() ? backoff_.erase(it) : std::next(it);
  }
}

void GossipsubRouter::connect_direct_peers() {
  std::vector<crypto::PeerId> missing;
  for (const auto& peer : direct_) {
    if (peers_.count(peer) == 0) missing.push_back(peer);
  }
  std::sort(missing.begin(), missing.end());
  for (auto& peer : missing) {
    events_.emplace_back(DialPeerEvent{std::move(peer), {}, DialReason::kDirectPeer});
  }
}

}  // namespace edgevpn::p2p::pubsub
