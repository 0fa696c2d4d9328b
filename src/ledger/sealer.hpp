// EdgeVPN's AESSealer: AES-256-GCM under the OTP seal key, carried as hex(nonce||ct||tag).
#pragma once

#include <string>
#include <string_view>

#include "crypto/aes_gcm.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

class AesSealer {
 public:
  // Seals with a fresh random nonce.
  static std::string seal(std::string_view message, std::string_view key);
  // kMalformed when not hex, kTruncated when shorter than a nonce, kCrypto when the tag fails
  // (wrong key or tampered); EdgeVPN drops such messages.
  static util::Result<std::string> unseal(std::string_view sealed_hex, std::string_view key);

  // Deterministic form for test vectors; real senders must use seal().
  static std::string seal_with_nonce(std::string_view message, std::string_view key,
                                     const crypto::AesGcmNonce& nonce);

  // Go copies the key string into a zeroed 32-byte array: shorter keys are zero-padded, longer
  // ones truncated.
  static crypto::AesGcmKey key_from_string(std::string_view key);
};

}  // namespace edgevpn::ledger
