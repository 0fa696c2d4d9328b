// SymmetricState: SHA-256 and HMAC-SHA256 from libsodium.
#include "p2p/noise/noise_symmetric_state.hpp"

#include <sodium.h>

#include <algorithm>

namespace edgevpn::p2p::noise {
namespace {

HashDigest hmac(util::ByteView key, util::ByteView first, util::ByteView second = {}) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, first.data(), first.size());
  crypto_auth_hmacsha256_update(&state, second.data(), second.size());
  HashDigest out;
  crypto_auth_hmacsha256_final(&state, out.data());
  return out;
}

}  // namespace

std::pair<HashDigest, HashDigest> hkdf2(const HashDigest& chaining_key, util::ByteView input) {
  const HashDigest temp_key = hmac(chaining_key, input);
  const uint8_t one = 0x01;
  const uint8_t two = 0x02;
  HashDigest output1 = hmac(temp_key, util::ByteView(&one, 1));
  HashDigest output2 = hmac(temp_key, output1, util::ByteView(&two, 1));
  return {output1, output2};
}

SymmetricState::SymmetricState(std::string_view protocol_name) {
  const util::ByteView name = util::as_bytes(protocol_name);
  if (name.size() <= hash_.size()) {
    std::copy(name.begin(), name.end(), hash_.begin());
  } else {
    crypto_hash_sha256(hash_.data(), name.data(), name.size());
  }
  chaining_key_ = hash_;
}

void SymmetricState::mix_hash(util::ByteView data) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, hash_.data(), hash_.size());
  crypto_hash_sha256_update(&state, data.data(), data.size());
  crypto_hash_sha256_final(&state, hash_.data());
}

void SymmetricState::mix_key(util::ByteView input_key_material) {
  auto [chaining_key, temp_key] = hkdf2(chaining_key_, input_key_material);
  chaining_key_ = chaining_key;
  cipher_.initialize_key(temp_key);  // HASHLEN is 32, no truncation needed
}

util::Status SymmetricState::encrypt_and_hash(util::ByteView plaintext, util::Bytes& out) {
  const size_t start = out.size();
  out.resize(start + plaintext.size() + cipher_.overhead());
  const std::span<uint8_t> target(out.data() + start, out.size() - start);
  if (auto status = cipher_.encrypt_with_ad(hash_, plaintext, target); !status.ok()) {
    out.resize(start);
    return status;
  }
  mix_hash(target);
  return {};
}

util::Result<util::Bytes> SymmetricState::decrypt_and_hash(util::ByteView ciphertext) {
  auto plaintext = cipher_.decrypt_with_ad(hash_, ciphertext);
  if (!plaintext.ok()) return plaintext.error();
  mix_hash(ciphertext);
  return plaintext;
}

std::pair<CipherState, CipherState> SymmetricState::split() const {
  auto [first, second] = hkdf2(chaining_key_, {});
  return {CipherState(first), CipherState(second)};
}

}  // namespace edgevpn::p2p::noise
