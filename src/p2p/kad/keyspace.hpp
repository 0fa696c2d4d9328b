// The Kademlia keyspace: 256-bit keys are SHA-256 of peer ID bytes or of record keys, distance
// is their XOR compared as a big-endian number, buckets are indexed by common prefix length.
#pragma once

#include <array>
#include <cstdint>

#include "crypto/hash.hpp"
#include "crypto/peer_id.hpp"
#include "util/bytes.hpp"

namespace edgevpn::p2p::kad {

using Key = std::array<uint8_t, 32>;
inline constexpr int kKeyBits = 256;

// SHA-256 of the raw bytes (a DHT key: multihash, CID bytes or peer ID bytes).
inline Key key_for_bytes(util::ByteView bytes) {
  return crypto::sha256(bytes);
}
inline Key key_for_peer(const crypto::PeerId& id) {
  return crypto::sha256(id.bytes());
}

Key xor_distance(const Key& a, const Key& b);
// Number of leading bits a and b share (256 when equal).
int common_prefix_length(const Key& a, const Key& b);
// True when `a` is strictly closer to `target` than `b`.
bool closer_to(const Key& target, const Key& a, const Key& b);

}  // namespace edgevpn::p2p::kad
