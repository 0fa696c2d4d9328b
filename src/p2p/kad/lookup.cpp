// Iterative lookup state machine.
#include "p2p/kad/lookup.hpp"

#include <algorithm>

namespace edgevpn::p2p::kad {

Lookup::Lookup(MessageType type, util::Bytes key, crypto::PeerId self,
               const std::vector<PeerInfo>& seeds, LookupConfig config)
    : type_(type),
      key_(std::move(key)),
      target_(key_for_bytes(key_)),
      self_(std::move(self)),
      config_(config) {
  for (const auto& seed : seeds) add_candidate(seed);
}

void Lookup::add_candidate(const PeerInfo& peer) {
  if (peer.id.empty() || peer.id == self_) return;
  const Key distance = xor_distance(target_, key_for_peer(peer.id));
  auto it = peers_.find(distance);
  if (it != peers_.end()) {
    // Same ID (a SHA-256 collision is not a concern): learn addresses we lacked.
    if (it->second.peer.addrs.empty()) it->second.peer.addrs = capped(peer).addrs;
    return;
  }
  if (peers_.size() >= kMaxCandidates) {
    // Keep the table bounded: only accept a peer closer than the farthest one, dropping that one
    // if it is still a plain candidate.
    auto last = std::prev(peers_.end());
    if (!(distance < last->first) || last->second.state != State::kCandidate) return;
    peers_.erase(last);
  }
  peers_.emplace(distance, Candidate{capped(peer), State::kCandidate, {}});
}

Lookup::Table::iterator Lookup::find(const crypto::PeerId& id) {
  return peers_.find(xor_distance(target_, key_for_peer(id)));
}

std::vector<LookupRequest> Lookup::next_requests(util::SteadyTime now) {
  for (auto& [distance, candidate] : peers_) {
    if (candidate.state == State::kWaiting && candidate.deadline <= now) {
      candidate.state = State::kFailed;
      --in_flight_;
    }
  }
  std::vector<LookupRequest> out;
  if (done()) return out;
  // Only the k closest not-failed peers are worth asking: beyond them an answer cannot change
  // the result.
  size_t rank = 0;
  for (auto& [distance, candidate] : peers_) {
    if (in_flight_ >= config_.alpha || rank >= config_.k) break;
    if (candidate.state == State::kFailed) continue;
    ++rank;
    if (candidate.state != State::kCandidate) continue;
    candidate.state = State::kWaiting;
    candidate.deadline = now + config_.request_timeout;
    ++in_flight_;
    Message request;
    request.type = type_;
    request.key = key_;  // FIND_NODE: target peer ID bytes; GET_PROVIDERS: the multihash
    out.push_back(LookupRequest{candidate.peer, std::move(request)});
  }
  return out;
}

void Lookup::on_response(const crypto::PeerId& peer, const Message& response, util::SteadyTime) {
  auto it = find(peer);
  if (it == peers_.end() || it->second.state != State::kWaiting) return;
  if (response.type != type_) {
    on_failure(peer);
    return;
  }
  it->second.state = State::kSucceeded;
  --in_flight_;
  if (type_ == MessageType::kGetProviders) {
    for (const auto& provider : response.provider_peers) {
      if (providers_.size() >= config_.provider_limit) break;
      const bool known = std::any_of(providers_.begin(), providers_.end(),
                                     [&](const PeerInfo& p) { return p.id == provider.id; });
      if (!known) providers_.push_back(capped(provider));
    }
  }
  for (const auto& closer : response.closer_peers) add_candidate(closer);
}

void Lookup::on_failure(const crypto::PeerId& peer) {
  auto it = find(peer);
  if (it == peers_.end() || it->second.state != State::kWaiting) return;
  it->second.state = State::kFailed;
  --in_flight_;
}

bool Lookup::done() const {
  if (type_ == MessageType::kGetProviders && providers_.size() >= config_.provider_limit)
    return true;
  size_t rank = 0;
  for (const auto& [distance, candidate] : peers_) {
    if (rank >= config_.k) break;
    if (candidate.state == State::kFailed) continue;
    ++rank;
    if (candidate.state != State::kSucceeded) return false;
  }
  return true;  // the k closest live peers all answered, or nobody is left to ask
}

std::optional<util::SteadyTime> Lookup::next_deadline() const {
  std::optional<util::SteadyTime> earliest;
  for (const auto& [distance, candidate] : peers_) {
    if (candidate.state != State::kWaiting) continue;
    if (!earliest || candidate.deadline < *earliest) earliest = candidate.deadline;
  }
  return earliest;
}

std::vector<PeerInfo> Lookup::closest() const {
  std::vector<PeerInfo> out;
  for (const auto& [distance, candidate] : peers_) {
    if (out.size() >= config_.k) break;
    if (candidate.state == State::kSucceeded) out.push_back(candidate.peer);
  }
  return out;
}

std::vector<PeerInfo> Lookup::responders() const {
  std::vector<PeerInfo> out;
  for (const auto& [distance, candidate] : peers_) {
    if (candidate.state == State::kSucceeded) out.push_back(candidate.peer);
  }
  return out;
}

}  // namespace edgevpn::p2p::kad
