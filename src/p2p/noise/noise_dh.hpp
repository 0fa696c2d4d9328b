// X25519 key pairs and Diffie-Hellman for the Noise handshake (libsodium crypto_scalarmult).
#pragma once

#include <array>
#include <cstdint>

#include "util/result.hpp"

namespace edgevpn::p2p::noise {

using DhKey = std::array<uint8_t, 32>;

struct DhKeyPair {
  DhKey private_key{};
  DhKey public_key{};

  static DhKeyPair generate();
  // Derives the public key from a given private key (tests inject fixed keys this way).
  static DhKeyPair from_private(const DhKey& private_key);
};

// X25519(private, remote public). kCrypto when the result is all zero (low-order remote key).
util::Result<DhKey> dh(const DhKeyPair& local, const DhKey& remote_public);

}  // namespace edgevpn::p2p::noise
