// Loads tests/vectors/p2p/relay_vectors.txt (written by go-libp2p v0.48, see
// tests/interop/go/relayvectors) and the fixed keys it was made with.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <map>
#include <string>

#include "crypto/keys.hpp"
#include "util/encoding.hpp"

namespace edgevpn::p2p::relay::testing {

inline const std::map<std::string, std::string>& relay_vectors() {
  static const std::map<std::string, std::string> vectors = [] {
    std::map<std::string, std::string> out;
    std::ifstream in(std::string(EDGEVPN_VECTORS_DIR) + "/p2p/relay_vectors.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto space = line.find(' ');
      if (space == std::string::npos) continue;
      out[line.substr(0, space)] = line.substr(space + 1);
    }
    return out;
  }();
  return vectors;
}

inline std::string vector_text(const std::string& name) {
  const auto& vectors = relay_vectors();
  auto it = vectors.find(name);
  EXPECT_NE(it, vectors.end()) << "missing vector " << name;
  return it == vectors.end() ? std::string() : it->second;
}

inline util::Bytes vector_bytes(const std::string& name) {
  auto bytes = util::hex_decode(vector_text(name));
  EXPECT_TRUE(bytes.ok()) << "vector " << name << " is not hex";
  return bytes.ok() ? *bytes : util::Bytes{};
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
