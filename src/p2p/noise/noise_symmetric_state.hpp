// Noise SymmetricState over SHA-256: chaining key, handshake hash, HKDF, MixKey, MixHash,
// EncryptAndHash, DecryptAndHash and Split.
#pragma once

#include <array>
#include <string_view>
#include <utility>

#include "p2p/noise/noise_cipher_state.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::noise {

using HashDigest = std::array<uint8_t, 32>;

// HKDF as the Noise spec defines it (HMAC-SHA256, chaining key as salt): two outputs.
std::pair<HashDigest, HashDigest> hkdf2(const HashDigest& chaining_key, util::ByteView input);

class SymmetricState {
 public:
  explicit SymmetricState(std::string_view protocol_name);

  void mix_hash(util::ByteView data);
  void mix_key(util::ByteView input_key_material);
  // Appends the ciphertext (plaintext without a key yet) to `out`, then hashes it.
  util::Status encrypt_and_hash(util::ByteView plaintext, util::Bytes& out);
  util::Result<util::Bytes> decrypt_and_hash(util::ByteView ciphertext);
  // First: initiator-to-responder, second: responder-to-initiator.
  std::pair<CipherState, CipherState> split() const;

  const HashDigest& handshake_hash() const { return hash_; }
  bool has_key() const { return cipher_.has_key(); }
  size_t overhead() const { return cipher_.overhead(); }

 private:
  CipherState cipher_;
  HashDigest chaining_key_{};
  HashDigest hash_{};
};

}  // namespace edgevpn::p2p::noise
