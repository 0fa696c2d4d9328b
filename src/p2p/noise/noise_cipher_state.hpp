// Noise CipherState for ChaChaPoly: a key and a 64-bit nonce (little-endian after 4 zero bytes
// in the 12-byte IETF nonce); EncryptWithAd / DecryptWithAd into caller buffers.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "util/bytes.hpp"
#include "util/result.hpp"

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX

namespace edgevpn::p2p::noise {

inline constexpr size_t kTagSize = 16;
inline constexpr size_t kMaxMessageSize = 65535;  // largest Noise message, tag included
using CipherKey = std::array<uint8_t, 32>;

// The AEAD runs on OpenSSL (about three times libsodium's ChaCha20-Poly1305 on bulk data with
// AVX2/AVX-512); one keyed context per direction is made on first use and reused.
class CipherState {
 public:
  CipherState() = default;  // no key: encryption passes plaintext through
  explicit CipherState(const CipherKey& key) { initialize_key(key); }
  CipherState(const CipherState& other);
  CipherState& operator=(const CipherState& other);
  CipherState(CipherState&&) noexcept = default;
  CipherState& operator=(CipherState&&) noexcept = default;
  ~CipherState();  // wipes the key

  void initialize_key(const CipherKey& key);
  bool has_key() const { return has_key_; }
  uint64_t nonce() const { return nonce_; }
  void set_nonce(uint64_t nonce) { nonce_ = nonce; }

  // Writes ciphertext || tag (plaintext.size() + kTagSize bytes; plaintext alone without a key)
  // to `out`, which must be that large. kCrypto once the nonce is exhausted (2^64 - 1 reserved).
  util::Status encrypt_with_ad(util::ByteView ad, util::ByteView plaintext, std::span<uint8_t> out);
  // Writes ciphertext.size() - kTagSize bytes to `out`. kCrypto on authentication failure (the
  // nonce is not advanced then), kMalformed when shorter than a tag.
  util::Status decrypt_with_ad(util::ByteView ad, util::ByteView ciphertext,
                               std::span<uint8_t> out);

  util::Result<util::Bytes> encrypt_with_ad(util::ByteView ad, util::ByteView plaintext);
  util::Result<util::Bytes> decrypt_with_ad(util::ByteView ad, util::ByteView ciphertext);

  size_t overhead() const { return has_key_ ? kTagSize : 0; }

 private:
  struct ContextDeleter {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  using Context = std::unique_ptr<evp_cipher_ctx_st, ContextDeleter>;
  // The keyed context for one direction, made on first use; nullptr if OpenSSL refuses.
  evp_cipher_ctx_st* context(bool encrypt);

  Context encrypt_ctx_;
  Context decrypt_ctx_;
  CipherKey key_{};
  uint64_t nonce_ = 0;
  bool has_key_ = false;
};

}  // namespace edgevpn::p2p::noise
