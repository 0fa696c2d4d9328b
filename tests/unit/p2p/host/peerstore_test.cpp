// Tests for the peerstore: addresses, keys bound to peer IDs, protocols and agents.
#include "p2p/host/peerstore.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::host {
namespace {

crypto::PeerId new_peer(crypto::PublicKey* key_out = nullptr) {
  auto key = crypto::PrivateKey::generate_ed25519().public_key();
  if (key_out) *key_out = key;
  return crypto::PeerId::from_public_key(key);
}

TEST(Peerstore, AddsAddressesWithoutPeerSuffixOrDuplicates) {
  Peerstore store;
  const auto peer = new_peer();
  const auto addr = *Multiaddr::parse("/ip4/127.0.0.1/tcp/4001");
  store.add_addrs(peer, {addr, addr.with_peer_id(peer), addr});
  EXPECT_EQ(store.addrs(peer), std::vector<Multiaddr>{addr});
  EXPECT_TRUE(store.addrs(new_peer()).empty());
}

TEST(Peerstore, KeepsOnlyKeysMatchingThePeerId) {
  Peerstore store;
  crypto::PublicKey key = crypto::PrivateKey::generate_ed25519().public_key();
  const auto peer = new_peer(&key);
  const auto other_key = crypto::PrivateKey::generate_ed25519().public_key();
  EXPECT_FALSE(store.set_public_key(peer, other_key));
  EXPECT_TRUE(store.set_public_key(peer, key));
  EXPECT_EQ(store.public_key(peer), key);
}

TEST(Peerstore, InlinedKeyIsKnownWithoutIdentify) {
  Peerstore store;
  crypto::PublicKey key = crypto::PrivateKey::generate_ed25519().public_key();
  const auto peer = new_peer(&key);
  EXPECT_EQ(store.public_key(peer), key);
}

TEST(Peerstore, RecordsProtocolsAndAgent) {
  Peerstore store;
  const auto peer = new_peer();
  store.set_protocols(peer, {"/ipfs/ping/1.0.0", "/ipfs/id/1.0.0"});
  store.set_agent(peer, "go-libp2p/0.48", "ipfs/0.1.0");
  EXPECT_TRUE(store.supports(peer, "/ipfs/ping/1.0.0"));
  EXPECT_FALSE(store.supports(peer, "/meshsub/1.1.0"));
  EXPECT_EQ(store.agent_version(peer), "go-libp2p/0.48");
  EXPECT_EQ(store.peers().size(), 1u);
  store.remove(peer);
  EXPECT_TRUE(store.peers().empty());
}

}  // namespace
}  // namespace edgevpn::p2p::host
