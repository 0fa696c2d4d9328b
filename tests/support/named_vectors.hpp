// Test vector files of "<name> <value>" lines ('#' comments), under tests/vectors/.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "util/encoding.hpp"

namespace edgevpn::testing {

using NamedVectors = std::map<std::string, std::string>;

// `path` is relative to tests/vectors/.
inline NamedVectors load_named_vectors(const std::string& path) {
  NamedVectors out;
  std::ifstream in(std::string(EDGEVPN_VECTORS_DIR) + "/" + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

inline std::string named_text(const NamedVectors& vectors, const std::string& name) {
  auto it = vectors.find(name);
  EXPECT_NE(it, vectors.end()) << "missing vector " << name;
  return it == vectors.end() ? std::string() : it->second;
}

inline util::Bytes named_bytes(const NamedVectors& vectors, const std::string& name) {
  auto bytes = util::hex_decode(named_text(vectors, name));
  EXPECT_TRUE(bytes.ok()) << "vector " << name << " is not hex";
  return bytes.ok() ? *bytes : util::Bytes{};
}

}  // namespace edgevpn::testing
