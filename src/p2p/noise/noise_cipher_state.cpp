// ChaCha20-Poly1305 (IETF) cipher state through libsodium.
#include "p2p/noise/noise_cipher_state.hpp"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <limits>

namespace edgevpn::p2p::noise {
namespace {

constexpr uint64_t kReservedNonce = std::numeric_limits<uint64_t>::max();

std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> make_nonce(uint64_t n) {
  std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(n >> (8 * i));
  return nonce;
}

}  // namespace

CipherState::~CipherState() {
  sodium_memzero(key_.data(), key_.size());
}

void CipherState::initialize_key(const CipherKey& key) {
  // libsodium selects its SIMD ChaCha20 / Poly1305 code in sodium_init(); without it the
  // portable code runs several times slower. Idempotent and cheap after the first call.
  if (sodium_init() < 0) std::abort();
  key_ = key;
  nonce_ = 0;
  has_key_ = true;
}

util::Status CipherState::encrypt_with_ad(util::ByteView ad, util::ByteView plaintext,
                                          std::span<uint8_t> out) {
  if (out.size() < plaintext.size() + overhead()) {
    return util::make_error(util::Errc::kInvalidArgument, "output buffer too small");
  }
  if (!has_key_) {
    if (!plaintext.empty()) std::memmove(out.data(), plaintext.data(), plaintext.size());
    return {};
  }
  if (nonce_ == kReservedNonce) return util::make_error(util::Errc::kCrypto, "nonce exhausted");
  const auto nonce = make_nonce(nonce_);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &written, plaintext.data(),
                                            plaintext.size(), ad.data(), ad.size(), nullptr,
                                            nonce.data(), key_.data());
  ++nonce_;
  return {};
}

util::Status CipherState::decrypt_with_ad(util::ByteView ad, util::ByteView ciphertext,
                                          std::span<uint8_t> out) {
  if (!has_key_) {
    if (out.size() < ciphertext.size()) {
      return util::make_error(util::Errc::kInvalidArgument, "output buffer too small");
    }
    if (!ciphertext.empty()) std::memmove(out.data(), ciphertext.data(), ciphertext.size());
    return {};
  }
  if (ciphertext.size() < kTagSize) {
    return util::make_error(util::Errc::kMalformed, "ciphertext shorter than its tag");
  }
  if (out.size() < ciphertext.size() - kTagSize) {
    return util::make_error(util::Errc::kInvalidArgument, "output buffer too small");
  }
  if (nonce_ == kReservedNonce) return util::make_error(util::Errc::kCrypto, "nonce exhausted");
  const auto nonce = make_nonce(nonce_);
  unsigned long long written = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, ciphertext.data(),
                                                ciphertext.size(), ad.data(), ad.size(),
                                                nonce.data(), key_.data()) != 0) {
    return util::make_error(util::Errc::kCrypto, "message authentication failed");
  }
  ++nonce_;
  return {};
}

util::Result<util::Bytes> CipherState::encrypt_with_ad(util::ByteView ad,
                                                       util::ByteView plaintext) {
  util::Bytes out(plaintext.size() + overhead());
  EDGEVPN_TRY(encrypt_with_ad(ad, plaintext, out));
  return out;
}

util::Result<util::Bytes> CipherState::decrypt_with_ad(util::ByteView ad,
                                                       util::ByteView ciphertext) {
  if (has_key_ && ciphertext.size() < kTagSize) {
    return util::make_error(util::Errc::kMalformed, "ciphertext shorter than its tag");
  }
  util::Bytes out(ciphertext.size() - overhead());
  EDGEVPN_TRY(decrypt_with_ad(ad, ciphertext, out));
  return out;
}

}  // namespace edgevpn::p2p::noise
