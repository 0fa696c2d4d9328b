// AESSealer, wire-compatible with EdgeVPN's pkg/crypto AESSealer.
#include "ledger/sealer.hpp"

#include <algorithm>

#include "crypto/random.hpp"
#include "util/encoding.hpp"

namespace edgevpn::ledger {

crypto::AesGcmKey AesSealer::key_from_string(std::string_view key) {
  crypto::AesGcmKey out{};
  std::copy_n(key.begin(), std::min(key.size(), out.size()), out.begin());
  return out;
}

std::string AesSealer::seal_with_nonce(std::string_view message, std::string_view key,
                                       const crypto::AesGcmNonce& nonce) {
  util::Bytes wire(nonce.begin(), nonce.end());
  util::append(wire, crypto::aes256_gcm_seal(key_from_string(key), nonce, util::as_bytes(message)));
  return util::hex_encode(wire);
}

std::string AesSealer::seal(std::string_view message, std::string_view key) {
  crypto::AesGcmNonce nonce{};
  auto random = crypto::random_bytes(nonce.size());
  std::copy(random.begin(), random.end(), nonce.begin());
  return seal_with_nonce(message, key, nonce);
}

util::Result<std::string> AesSealer::unseal(std::string_view sealed_hex, std::string_view key) {
  // Checked before hex decoding: an empty buffer has no storage to decode into.
  if (sealed_hex.size() < 2 * crypto::kAesGcmNonceSize) {
    return util::make_error(util::Errc::kTruncated, "sealed message shorter than its nonce");
  }
  auto wire = util::hex_decode(sealed_hex);
  if (!wire.ok()) {
    return util::make_error(util::Errc::kMalformed, "sealed message is not hex");
  }
  if (wire->size() < crypto::kAesGcmNonceSize) {
    return util::make_error(util::Errc::kTruncated, "sealed message shorter than its nonce");
  }
  crypto::AesGcmNonce nonce{};
  std::copy_n(wire->begin(), nonce.size(), nonce.begin());
  auto plain = crypto::aes256_gcm_open(
      key_from_string(key), nonce, util::ByteView(*wire).subspan(crypto::kAesGcmNonceSize));
  if (!plain.ok()) return plain.error();
  return util::to_string(*plain);
}

}  // namespace edgevpn::ledger
