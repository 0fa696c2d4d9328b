// What the host knows about other peers: addresses to dial, public keys, supported protocols
// and agent (from identify). Plain data, no I/O; used on the host's io_context thread.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"

namespace edgevpn::p2p::host {

struct PeerRecord {
  std::vector<Multiaddr> addrs;
  std::optional<crypto::PublicKey> public_key;
  std::vector<std::string> protocols;
  std::string agent_version;
  std::string protocol_version;
  // Our own address as this peer saw it (identify's observedAddr).
  std::optional<Multiaddr> observed_addr;
};

class Peerstore {
 public:
  // Adds addresses (without /p2p suffix; duplicates are ignored). Caps at kMaxAddrs per peer.
  void add_addrs(const crypto::PeerId& peer, const std::vector<Multiaddr>& addrs);
  void set_addrs(const crypto::PeerId& peer, std::vector<Multiaddr> addrs);
  std::vector<Multiaddr> addrs(const crypto::PeerId& peer) const;

  // Stores the key only when it matches the peer ID; false otherwise.
  bool set_public_key(const crypto::PeerId& peer, const crypto::PublicKey& key);
  std::optional<crypto::PublicKey> public_key(const crypto::PeerId& peer) const;

  void set_protocols(const crypto::PeerId& peer, std::vector<std::string> protocols);
  std::vector<std::string> protocols(const crypto::PeerId& peer) const;
  bool supports(const crypto::PeerId& peer, std::string_view protocol) const;

  void set_agent(const crypto::PeerId& peer, std::string agent_version,
                 std::string protocol_version);
  std::string agent_version(const crypto::PeerId& peer) const;
  void set_observed_addr(const crypto::PeerId& peer, Multiaddr addr);

  const PeerRecord* find(const crypto::PeerId& peer) const;
  std::vector<crypto::PeerId> peers() const;
  void remove(const crypto::PeerId& peer) { records_.erase(peer); }

  static constexpr size_t kMaxAddrs = 64;
  static constexpr size_t kMaxProtocols = 256;

 private:
  std::unordered_map<crypto::PeerId, PeerRecord> records_;
};

}  // namespace edgevpn::p2p::host
