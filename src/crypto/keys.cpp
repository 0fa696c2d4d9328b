// libp2p keys (github libp2p/specs peer-ids): Ed25519 through libsodium; remote secp256k1,
// ECDSA and RSA public keys through OpenSSL 3's EVP interface, for signature checks only.
#include "crypto/keys.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <climits>
#include <cstring>
#include <memory>

// protobuf_generate (cmake/Modules.cmake) currently writes generated headers flat into
// generated/; accept generated/crypto/ too, should that change.
#if __has_include("crypto/keys.pb.h")
#include "crypto/keys.pb.h"
#else
#include "keys.pb.h"
#endif
#include "util/varint.hpp"

namespace edgevpn::crypto {
namespace {

constexpr size_t kEd25519KeyLength = 32;
constexpr size_t kEd25519SignatureLength = 64;
constexpr int kMinRsaBits = 2048;  // go-libp2p refuses smaller keys
constexpr int kMaxRsaBits = 8192;

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
}

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// Decodes a DER SubjectPublicKeyInfo that must span all of `der`.
EvpPkeyPtr decode_spki(util::ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) return nullptr;
  const unsigned char* cursor = der.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!key || cursor != der.data() + der.size()) {
    ERR_clear_error();
    return nullptr;
  }
  return key;
}

// secp256k1 keys travel as a bare SEC1 point; wrapping it in a SubjectPublicKeyInfo lets
// OpenSSL's DER decoder check that the point is on the curve.
EvpPkeyPtr secp256k1_key(util::ByteView point) {
  // SEQUENCE { SEQUENCE { id-ecPublicKey, secp256k1 }, BIT STRING <point> }
  static constexpr uint8_t kCompressedPrefix[] = {0x30, 0x36, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86,
                                                  0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
                                                  0x81, 0x04, 0x00, 0x0a, 0x03, 0x22, 0x00};
  static constexpr uint8_t kUncompressedPrefix[] = {0x30, 0x56, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86,
                                                    0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
                                                    0x81, 0x04, 0x00, 0x0a, 0x03, 0x42, 0x00};
  util::Bytes der;
  if (point.size() == 33 && (point[0] == 0x02 || point[0] == 0x03)) {
    der.assign(std::begin(kCompressedPrefix), std::end(kCompressedPrefix));
  } else if (point.size() == 65 && point[0] == 0x04) {
    der.assign(std::begin(kUncompressedPrefix), std::end(kUncompressedPrefix));
  } else {
    return nullptr;
  }
  util::append(der, point);
  return decode_spki(der);
}

bool is_supported_ecdsa_curve(EVP_PKEY* key) {
  char name[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &length) != 1) {
    ERR_clear_error();
    return false;
  }
  const std::string_view curve(name, length);
  return curve == "prime256v1" || curve == "P-256" || curve == "secp384r1" || curve == "P-384" ||
         curve == "secp521r1" || curve == "P-521";
}

// Validates the Data field of a remote key and returns it as an OpenSSL key (nullptr for
// Ed25519, which libsodium handles, and for invalid keys: `error` says which).
EvpPkeyPtr load_remote_key(KeyType type, util::ByteView data, std::string* error) {
  switch (type) {
    case KeyType::kEd25519:
      if (data.size() != kEd25519KeyLength) *error = "Ed25519 public key must be 32 bytes";
      return nullptr;
    case KeyType::kSecp256k1: {
      auto key = secp256k1_key(data);
      if (!key) *error = "invalid secp256k1 public key";
      return key;
    }
    case KeyType::kEcdsa: {
      auto key = decode_spki(data);
      if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
          !is_supported_ecdsa_curve(key.get())) {
        *error = "invalid ECDSA public key (PKIX DER on P-256, P-384 or P-521 expected)";
        return nullptr;
      }
      return key;
    }
    case KeyType::kRsa: {
      auto key = decode_spki(data);
      if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
        *error = "invalid RSA public key (PKIX DER expected)";
        return nullptr;
      }
      const int bits = EVP_PKEY_get_bits(key.get());
      if (bits < kMinRsaBits || bits > kMaxRsaBits) {
        *error = "RSA key size " + std::to_string(bits) + " outside 2048..8192 bits";
        return nullptr;
      }
      return key;
    }
  }
  *error = "unknown key type";
  return nullptr;
}

bool verify_sha256(EVP_PKEY* key, util::ByteView message, util::ByteView signature) {
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> ctx(EVP_MD_CTX_new());
  static constexpr unsigned char kEmpty = 0;
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), signature.empty() ? &kEmpty : signature.data(), signature.size(),
                       message.empty() ? &kEmpty : message.data(), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

// The libp2p key protobuf, written by hand so that the encoding is deterministic: Type (field 1,
// varint) then Data (field 2, bytes).
util::Bytes encode_key_message(KeyType type, util::ByteView data) {
  util::Bytes out;
  out.reserve(data.size() + 8);
  out.push_back(0x08);
  util::put_uvarint(out, static_cast<uint64_t>(type));
  out.push_back(0x12);
  util::put_uvarint(out, data.size());
  util::append(out, data);
  return out;
}

// Parses a PublicKey/PrivateKey message (both have the same fields). Partial parsing plus our
// own check of the required fields keeps protobuf from logging on malformed input.
template <class Message>
util::Result<Message> parse_key_message(util::ByteView encoded, const char* what) {
  if (encoded.size() > static_cast<size_t>(INT_MAX)) {
    return util::make_error(util::Errc::kTooLarge, std::string(what) + " too large");
  }
  Message message;
  if (!message.ParsePartialFromArray(encoded.data(), static_cast<int>(encoded.size())) ||
      !message.has_type() || !message.has_data()) {
    return util::make_error(util::Errc::kMalformed, std::string("malformed ") + what + " protobuf");
  }
  return message;
}

}  // namespace

// ---- PublicKey ----

util::Result<PublicKey> PublicKey::from_protobuf(util::ByteView encoded) {
  EDGEVPN_TRY_ASSIGN(message, parse_key_message<pb::PublicKey>(encoded, "public key"));
  const auto type = static_cast<KeyType>(message.type());
  const std::string& data = message.data();
  std::string error;
  load_remote_key(type, util::as_bytes(data), &error);
  if (!error.empty()) return util::make_error(util::Errc::kCrypto, error);
  return PublicKey(type, util::to_bytes(data));
}

PublicKey PublicKey::ed25519(const std::array<uint8_t, 32>& raw) {
  return PublicKey(KeyType::kEd25519, util::Bytes(raw.begin(), raw.end()));
}

util::Bytes PublicKey::to_protobuf() const {
  return encode_key_message(type_, data_);
}

bool PublicKey::verify(util::ByteView message, util::ByteView signature) const {
  if (type_ == KeyType::kEd25519) {
    if (data_.size() != kEd25519KeyLength || signature.size() != kEd25519SignatureLength) {
      return false;
    }
    ensure_sodium();
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                       data_.data()) == 0;
  }
  std::string error;
  auto key = load_remote_key(type_, data_, &error);
  if (!key) return false;
  return verify_sha256(key.get(), message, signature);
}

// ---- PrivateKey ----

PrivateKey::~PrivateKey() {
  sodium_memzero(seed_.data(), seed_.size());
}

PrivateKey PrivateKey::generate_ed25519() {
  ensure_sodium();
  std::array<uint8_t, 32> seed{};
  randombytes_buf(seed.data(), seed.size());
  PrivateKey key = ed25519_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

PrivateKey PrivateKey::ed25519_from_seed(const std::array<uint8_t, 32>& seed) {
  ensure_sodium();
  PrivateKey key;
  key.seed_ = seed;
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> secret{};
  crypto_sign_seed_keypair(key.public_.data(), secret.data(), seed.data());
  sodium_memzero(secret.data(), secret.size());
  return key;
}

util::Result<PrivateKey> PrivateKey::from_protobuf(util::ByteView encoded) {
  EDGEVPN_TRY_ASSIGN(message, parse_key_message<pb::PrivateKey>(encoded, "private key"));
  if (message.type() != pb::Ed25519) {
    return util::make_error(util::Errc::kUnsupported, "only Ed25519 private keys are supported");
  }
  std::string* data = message.mutable_data();
  const size_t size = data->size();
  if (size != 32 && size != 64 && size != 96) {
    sodium_memzero(data->data(), data->size());
    return util::make_error(util::Errc::kMalformed,
                            "Ed25519 private key must be 32, 64 or 96 bytes");
  }
  std::array<uint8_t, 32> seed{};
  std::memcpy(seed.data(), data->data(), seed.size());
  PrivateKey key = ed25519_from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  bool consistent = true;
  for (size_t offset = 32; offset < size; offset += 32) {
    consistent = consistent && std::memcmp(data->data() + offset, key.public_.data(), 32) == 0;
  }
  sodium_memzero(data->data(), data->size());
  if (!consistent) {
    return util::make_error(util::Errc::kCrypto,
                            "Ed25519 private key: public half does not match the seed");
  }
  return key;
}

util::Bytes PrivateKey::to_protobuf() const {
  std::array<uint8_t, 64> data{};
  std::memcpy(data.data(), seed_.data(), 32);
  std::memcpy(data.data() + 32, public_.data(), 32);
  util::Bytes out = encode_key_message(KeyType::kEd25519, data);
  sodium_memzero(data.data(), data.size());
  return out;
}

PublicKey PrivateKey::public_key() const {
  return PublicKey::ed25519(public_);
}

std::array<uint8_t, 64> PrivateKey::sign(util::ByteView message) const {
  ensure_sodium();
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> secret{};
  std::memcpy(secret.data(), seed_.data(), 32);
  std::memcpy(secret.data() + 32, public_.data(), 32);
  std::array<uint8_t, 64> signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret.data());
  sodium_memzero(secret.data(), secret.size());
  return signature;
}

}  // namespace edgevpn::crypto
