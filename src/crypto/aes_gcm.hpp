// AES-256-GCM with a 12-byte nonce, 16-byte tag and no associated data (EdgeVPN's sealer).
#pragma once

#include <array>
#include <cstdint>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

using AesGcmKey = std::array<uint8_t, kAesGcmKeySize>;
using AesGcmNonce = std::array<uint8_t, kAesGcmNonceSize>;

// Returns ciphertext || tag.
util::Bytes aes256_gcm_seal(const AesGcmKey& key, const AesGcmNonce& nonce,
                            util::ByteView plaintext);
// Takes ciphertext || tag; kCrypto when the tag does not verify, kTruncated when shorter than
// a tag.
util::Result<util::Bytes> aes256_gcm_open(const AesGcmKey& key, const AesGcmNonce& nonce,
                                          util::ByteView sealed);

}  // namespace edgevpn::crypto
