// EdgeVPN's NetworkOnly relay ACL: open until the first healthcheck snapshot, then members only.
#include "p2p/relay/network_only_acl.hpp"

namespace edgevpn::p2p::relay {

void NetworkOnlyAcl::refresh(const std::vector<std::string>& healthcheck_keys) {
  if (healthcheck_keys.empty()) return;
  std::unordered_set<crypto::PeerId> members;
  for (const auto& key : healthcheck_keys) {
    if (auto peer = crypto::PeerId::parse(key)) members.insert(std::move(*peer));
  }
  members_ = std::move(members);
  started_ = true;
}

bool NetworkOnlyAcl::allow_reserve(const crypto::PeerId& peer) const {
  return !started_ || members_.contains(peer);
}

RelayAcl NetworkOnlyAcl::relay_acl() const {
  RelayAcl acl;
  acl.allow_reserve = [this](const crypto::PeerId& peer, const Multiaddr&) {
    return allow_reserve(peer);
  };
  return acl;
}

}  // namespace edgevpn::p2p::relay
