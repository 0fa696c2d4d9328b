// EdgeVPN's "network only" relay ACL (--relay-service-network-only): only members of our network,
// the peers in the ledger's healthcheck bucket, may reserve a slot with our relay. No I/O: the
// node refreshes it from the ledger (every --relay-service-acl-refresh, 30 s).
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/relay/relay_service.hpp"

namespace edgevpn::p2p::relay {

class NetworkOnlyAcl {
 public:
  // The healthcheck bucket's keys (peer IDs as text). Until the first non-empty bucket the ACL is
  // open, so that a new peer can reserve before it has gossiped its first healthcheck (which it
  // may only manage through a relay); an empty bucket later keeps the last members, as EdgeVPN
  // does. Keys that are not peer IDs are skipped.
  void refresh(const std::vector<std::string>& healthcheck_keys);

  // Whether `peer` may reserve. Connects are never restricted: a peer that holds a reservation
  // is a member, and its circuits stay up while the bucket flickers.
  bool allow_reserve(const crypto::PeerId& peer) const;
  bool open() const { return !started_; }
  size_t member_count() const { return members_.size(); }

  // The hook for Relay; it refers to this object, which must outlive the Relay.
  RelayAcl relay_acl() const;

 private:
  bool started_ = false;
  std::unordered_set<crypto::PeerId> members_;
};

}  // namespace edgevpn::p2p::relay
