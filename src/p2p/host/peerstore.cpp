// The peerstore: a map from peer ID to what we learnt about the peer.
#include "p2p/host/peerstore.hpp"

#include <algorithm>

namespace edgevpn::p2p::host {

void Peerstore::add_addrs(const crypto::PeerId& peer, const std::vector<Multiaddr>& addrs) {
  auto& known = records_[peer].addrs;
  for (const auto& addr : addrs) {
    Multiaddr bare = addr.without_peer_id();
    if (bare.empty() || known.size() >= kMaxAddrs) continue;
    if (std::find(known.begin(), known.end(), bare) == known.end()) known.push_back(std::move(bare));
  }
}

void Peerstore::set_addrs(const crypto::PeerId& peer, std::vector<Multiaddr> addrs) {
  records_[peer].addrs.clear();
  add_addrs(peer, addrs);
}

std::vector<Multiaddr> Peerstore::addrs(const crypto::PeerId& peer) const {
  const auto* record = find(peer);
  return record ? record->addrs : std::vector<Multiaddr>{};
}

bool Peerstore::set_public_key(const crypto::PeerId& peer, const crypto::PublicKey& key) {
  if (!peer.matches(key)) return false;
  records_[peer].public_key = key;
  return true;
}

std::optional<crypto::PublicKey> Peerstore::public_key(const crypto::PeerId& peer) const {
  if (const auto* record = find(peer); record && record->public_key) return record->public_key;
  return peer.extract_public_key();
}

void Peerstore::set_protocols(const crypto::PeerId& peer, std::vector<std::string> protocols) {
  if (protocols.size() > kMaxProtocols) protocols.resize(kMaxProtocols);
  records_[peer].protocols = std::move(protocols);
}

std::vector<std::string> Peerstore::protocols(const crypto::PeerId& peer) const {
  const auto* record = find(peer);
  return record ? record->protocols : std::vector<std::string>{};
}

bool Peerstore::supports(const crypto::PeerId& peer, std::string_view protocol) const {
  const auto* record = find(peer);
  return record && std::find(record->protocols.begin(), record->protocols.end(), protocol) !=
                       record->protocols.end();
}

void Peerstore::set_agent(const crypto::PeerId& peer, std::string agent_version,
                          std::string protocol_version) {
  auto& record = records_[peer];
  record.agent_version = std::move(agent_version);
  record.protocol_version = std::move(protocol_version);
}

std::string Peerstore::agent_version(const crypto::PeerId& peer) const {
  const auto* record = find(peer);
  return record ? record->agent_version : std::string{};
}

void Peerstore::set_observed_addr(const crypto::PeerId& peer, Multiaddr addr) {
  records_[peer].observed_addr = std::move(addr);
}

const PeerRecord* Peerstore::find(const crypto::PeerId& peer) const {
  auto it = records_.find(peer);
  return it == records_.end() ? nullptr : &it->second;
}

std::vector<crypto::PeerId> Peerstore::peers() const {
  std::vector<crypto::PeerId> out;
  out.reserve(records_.size());
  for (const auto& [peer, record] : records_) out.push_back(peer);
  return out;
}

}  // namespace edgevpn::p2p::host
