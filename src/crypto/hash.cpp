// SHA-256 and HMAC-SHA256 via libsodium, MD5 via OpenSSL EVP (libsodium has no MD5).
#include "crypto/hash.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <stdexcept>

#include "util/encoding.hpp"

namespace edgevpn::crypto {

Sha256Digest sha256(util::ByteView data) {
  Sha256Digest out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

Sha256Digest hmac_sha256(util::ByteView key, util::ByteView message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, message.data(), message.size());
  Sha256Digest out{};
  crypto_auth_hmacsha256_final(&state, out.data());
  sodium_memzero(&state, sizeof state);
  return out;
}

std::string md5_hex(util::ByteView data) {
  std::array<uint8_t, 16> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_md5(), nullptr) != 1 ||
      length != digest.size()) {
    // Only fails when OpenSSL cannot provide MD5 at all (e.g. a FIPS-only build): a start-up
    // environment problem, not bad input.
    throw std::runtime_error("OpenSSL MD5 is unavailable");
  }
  return util::hex_encode(digest);
}

}  // namespace edgevpn::crypto
