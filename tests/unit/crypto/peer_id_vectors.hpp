// Loads tests/vectors/crypto/peer_ids.txt ("<name> <value>" lines) for the key, peer ID and CID
// tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "util/encoding.hpp"

namespace edgevpn::crypto::testing {

inline const std::map<std::string, std::string>& peer_id_vectors() {
  static const std::map<std::string, std::string> vectors = [] {
    std::map<std::string, std::string> out;
    std::ifstream in(std::string(EDGEVPN_VECTORS_DIR) + "/crypto/peer_ids.txt");
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
  const auto& vectors = peer_id_vectors();
  auto it = vectors.find(name);
  EXPECT_NE(it, vectors.end()) << "missing vector " << name;
  return it == vectors.end() ? std::string() : it->second;
}

inline util::Bytes vector_bytes(const std::string& name) {
  auto bytes = util::hex_decode(vector_text(name));
  EXPECT_TRUE(bytes.ok()) << "vector " << name << " is not hex";
  return bytes.ok() ? *bytes : util::Bytes{};
}

}  // namespace edgevpn::crypto::testing
