// Helpers shared by the Kademlia tests: deterministic peer IDs and addresses.
#pragma once

#include <string>

#include "crypto/hash.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/kad/kad_message.hpp"

namespace edgevpn::p2p::kad::testing {

// A valid sha2-256 multihash peer ID derived from `n`.
inline crypto::PeerId make_peer_id(int n) {
  const std::string seed = "peer-" + std::to_string(n);
  const auto digest = crypto::sha256(util::as_bytes(seed));
  util::Bytes multihash{0x12, 0x20};
  multihash.insert(multihash.end(), digest.begin(), digest.end());
  return crypto::PeerId::from_bytes(multihash).value();
}

inline PeerInfo make_peer(int n) {
  PeerInfo info;
  info.id = make_peer_id(n);
  info.addrs.push_back(Multiaddr::parse("/ip4/10.0." + std::to_string(n / 250) + "." +
                                        std::to_string(n % 250 + 1) + "/tcp/4001")
                           .value());
  return info;
}

}  // namespace edgevpn::p2p::kad::testing
