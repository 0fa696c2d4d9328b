// Loads tests/vectors/crypto/peer_ids.txt ("<name> <value>" lines) for the key, peer ID and CID
// tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "../../support/named_vectors.hpp"
#include "util/encoding.hpp"

namespace edgevpn::crypto::testing {

inline const edgevpn::testing::NamedVectors& peer_id_vectors() {
  static const auto vectors = edgevpn::testing::load_named_vectors("crypto/peer_ids.txt");
  return vectors;
}

inline std::string vector_text(const std::string& name) {
  return edgevpn::testing::named_text(peer_id_vectors(), name);
}

inline util::Bytes vector_bytes(const std::string& name) {
  return edgevpn::testing::named_bytes(peer_id_vectors(), name);
}

}  // namespace edgevpn::crypto::testing
