// Loads tests/vectors/p2p/relay_vectors.txt (written by go-libp2p v0.48, see
// tests/interop/go/relayvectors) and the fixed keys it was made with.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>

#include "../../../support/named_vectors.hpp"
#include "crypto/keys.hpp"
#include "util/encoding.hpp"

namespace edgevpn::p2p::relay::testing {

inline const edgevpn::testing::NamedVectors& relay_vectors() {
  static const auto vectors = edgevpn::testing::load_named_vectors("p2p/relay_vectors.txt");
  return vectors;
}

inline std::string vector_text(const std::string& name) {
  return edgevpn::testing::named_text(relay_vectors(), name);
}

inline util::Bytes vector_bytes(const std::string& name) {
  return edgevpn::testing::named_bytes(relay_vectors(), name);
}

// The vectors' keys: an Ed25519 seed of 32 times `fill` (01 relay, 02 client, 03 initiator).
inline crypto::PrivateKey fixed_key(uint8_t fill) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return crypto::PrivateKey::ed25519_from_seed(seed);
}

inline crypto::PeerId fixed_peer(uint8_t fill) {
  return crypto::PeerId::from_public_key(fixed_key(fill).public_key());
}

}  // namespace edgevpn::p2p::relay::testing
