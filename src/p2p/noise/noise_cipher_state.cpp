// ChaCha20-Poly1305 (IETF) cipher state through OpenSSL's EVP interface.
#include "p2p/noise/noise_cipher_state.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <limits>
#include <new>

namespace edgevpn::p2p::noise {
namespace {

constexpr uint64_t kReservedNonce = std::numeric_limits<uint64_t>::max();
constexpr size_t kNonceSize = 12;

std::array<uint8_t, kNonceSize> make_nonce(uint64_t n) {
  std::array<uint8_t, kNonceSize> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(n >> (8 * i));
  return nonce;
}

// Noise messages are at most 65535 bytes; anything near INT_MAX is a caller bug.
bool fits_int(size_t size) { return size <= static_cast<size_t>(INT_MAX); }

}  // namespace

void CipherState::ContextDeleter::operator()(EVP_CIPHER_CTX* ctx) const {
  EVP_CIPHER_CTX_free(ctx);
}

CipherState::CipherState(const CipherState& other)
    : key_(other.key_), nonce_(other.nonce_), has_key_(other.has_key_) {}

CipherState& CipherState::operator=(const CipherState& other) {
  if (this != &other) {
    encrypt_ctx_.reset();
    decrypt_ctx_.reset();
    key_ = other.key_;
    nonce_ = other.nonce_;
    has_key_ = other.has_key_;
  }
  return *this;
}

CipherState::~CipherState() { OPENSSL_cleanse(key_.data(), key_.size()); }

void CipherState::initialize_key(const CipherKey& key) {
  encrypt_ctx_.reset();
  decrypt_ctx_.reset();
  key_ = key;
  nonce_ = 0;
  has_key_ = true;
}

EVP_CIPHER_CTX* CipherState::context(bool encrypt) {
  Context& slot = encrypt ? encrypt_ctx_ : decrypt_ctx_;
  if (!slot) {
    Context ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::bad_alloc();
    if (EVP_CipherInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, key_.data(), nullptr,
                          encrypt ? 1 : 0) != 1) {
      return nullptr;
    }
    slot = std::move(ctx);
  }
  return slot.get();
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
  if (!fits_int(plaintext.size()) || !fits_int(ad.size())) {
    return util::make_error(util::Errc::kInvalidArgument, "message too large");
  }
  auto* ctx = context(true);
  const auto nonce = make_nonce(nonce_);
  int written = 0;
  int final_written = 0;
  const bool ok =
      ctx != nullptr && EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
      (ad.empty() ||
       EVP_EncryptUpdate(ctx, nullptr, &written, ad.data(), static_cast<int>(ad.size())) == 1) &&
      EVP_EncryptUpdate(ctx, out.data(), &written, plaintext.data(),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, out.data() + written, &final_written) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kTagSize),
                          out.data() + plaintext.size()) == 1;
  if (!ok) return util::make_error(util::Errc::kCrypto, "ChaCha20-Poly1305 encryption failed");
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
  const size_t body = ciphertext.size() - kTagSize;
  if (out.size() < body) {
    return util::make_error(util::Errc::kInvalidArgument, "output buffer too small");
  }
  if (nonce_ == kReservedNonce) return util::make_error(util::Errc::kCrypto, "nonce exhausted");
  if (!fits_int(ciphertext.size()) || !fits_int(ad.size())) {
    return util::make_error(util::Errc::kInvalidArgument, "message too large");
  }
  auto* ctx = context(false);
  const auto nonce = make_nonce(nonce_);
  // OpenSSL reads the expected tag from a non-const pointer; hand it a copy.
  std::array<uint8_t, kTagSize> tag{};
  std::memcpy(tag.data(), ciphertext.data() + body, kTagSize);
  int written = 0;
  int final_written = 0;
  const bool ok =
      ctx != nullptr && EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
      (ad.empty() ||
       EVP_DecryptUpdate(ctx, nullptr, &written, ad.data(), static_cast<int>(ad.size())) == 1) &&
      EVP_DecryptUpdate(ctx, out.data(), &written, ciphertext.data(), static_cast<int>(body)) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kTagSize), tag.data()) ==
          1 &&
      EVP_DecryptFinal_ex(ctx, out.data() + written, &final_written) == 1;
  if (!ok) {
    // The unauthenticated plaintext must not be used: wipe what was written.
    if (body > 0) OPENSSL_cleanse(out.data(), body);
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
