// AES-256-GCM through OpenSSL's EVP interface (hardware AES where available).
#include "crypto/aes_gcm.hpp"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <stdexcept>

namespace edgevpn::crypto {
namespace {

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

CipherContext new_context() {
  CipherContext ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

// EVP lengths are ints; gossip messages are bounded far below this, so a larger input is a
// caller bug.
int checked_length(size_t size) {
  if (size > static_cast<size_t>(INT_MAX)) throw std::length_error("AES-GCM input too large");
  return static_cast<int>(size);
}

}  // namespace

util::Bytes aes256_gcm_seal(const AesGcmKey& key, const AesGcmNonce& nonce,
                            util::ByteView plaintext) {
  auto ctx = new_context();
  util::Bytes out(plaintext.size() + kAesGcmTagSize);
  int written = 0;
  int final_written = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kAesGcmNonceSize, nullptr) ==
                1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) == 1 &&
            EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(),
                              checked_length(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &final_written) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                                out.data() + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("OpenSSL AES-256-GCM encryption failed");
  return out;
}

util::Result<util::Bytes> aes256_gcm_open(const AesGcmKey& key, const AesGcmNonce& nonce,
                                          util::ByteView sealed) {
  if (sealed.size() < kAesGcmTagSize) {
    return util::make_error(util::Errc::kTruncated, "AES-GCM message shorter than its tag");
  }
  const size_t ciphertext_size = sealed.size() - kAesGcmTagSize;
  auto ctx = new_context();
  util::Bytes out(ciphertext_size);
  util::Bytes tag(sealed.begin() + static_cast<ptrdiff_t>(ciphertext_size), sealed.end());
  int written = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kAesGcmNonceSize, nullptr) ==
                1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) == 1 &&
            EVP_DecryptUpdate(ctx.get(), out.data(), &written, sealed.data(),
                              checked_length(ciphertext_size)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag.data()) == 1;
  if (!ok) return util::make_error(util::Errc::kCrypto, "AES-GCM setup failed");
  int final_written = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + written, &final_written) != 1) {
    return util::make_error(util::Errc::kCrypto, "AES-GCM authentication failed");
  }
  return out;
}

}  // namespace edgevpn::crypto
