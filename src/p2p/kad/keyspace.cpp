// XOR distance and common-prefix length over SHA-256 keys.
#include "p2p/kad/keyspace.hpp"

#include <bit>

namespace edgevpn::p2p::kad {

Key xor_distance(const Key& a, const Key& b) {
  Key out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
  return out;
}

int common_prefix_length(const Key& a, const Key& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    const auto diff = static_cast<uint8_t>(a[i] ^ b[i]);
    if (diff != 0) return static_cast<int>(i * 8) + std::countl_zero(diff);
  }
  return kKeyBits;
}

bool closer_to(const Key& target, const Key& a, const Key& b) {
  for (size_t i = 0; i < target.size(); ++i) {
    const auto da = static_cast<uint8_t>(a[i] ^ target[i]);
    const auto db = static_cast<uint8_t>(b[i] ^ target[i]);
    if (da != db) return da < db;
  }
  return false;
}

}  // namespace edgevpn::p2p::kad
