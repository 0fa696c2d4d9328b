// Signed peer records (libp2p RFC 0002/0003), as GossipSub peer exchange and identify carry them:
// a peer's addresses, signed by the peer's own key. No I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::record {

struct PeerRecord {
  crypto::PeerId peer;
  uint64_t seq = 0;
  std::vector<Multiaddr> addrs;  // addresses we cannot parse are left out
};

// Decodes an envelope, checks that it holds a peer record signed by the key of the peer it
// names, and returns the record. Errors: kMalformed (not an envelope / record), kCrypto (bad
// signature, or a record for another peer than the signing key), kUnsupported (other payload).
util::Result<PeerRecord> open_signed_peer_record(util::ByteView envelope);

// The envelope of a record of our own addresses, signed with `key`.
util::Bytes seal_peer_record(const crypto::PrivateKey& key, uint64_t seq,
                             const std::vector<Multiaddr>& addrs);

}  // namespace edgevpn::p2p::record
