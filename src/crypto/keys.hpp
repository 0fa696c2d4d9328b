// libp2p identity keys: our own Ed25519 keys, and public keys of remote peers (Ed25519,
// secp256k1, ECDSA, RSA) decoded from libp2p's PublicKey protobuf, for signature checks.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::crypto {

enum class KeyType { kRsa = 0, kEd25519 = 1, kSecp256k1 = 2, kEcdsa = 3 };

// A public key of any libp2p type. Immutable, cheap to copy.
class PublicKey {
 public:
  // Decodes the libp2p PublicKey protobuf (Type + Data).
  static util::Result<PublicKey> from_protobuf(util::ByteView encoded);
  static PublicKey ed25519(const std::array<uint8_t, 32>& raw);

  KeyType type() const { return type_; }
  // The key bytes inside the protobuf's Data field (raw 32 bytes for Ed25519, DER for others).
  const util::Bytes& data() const { return data_; }
  // libp2p PublicKey protobuf bytes (deterministic encoding).
  util::Bytes to_protobuf() const;
  // Verifies a libp2p signature: plain Ed25519; ECDSA/secp256k1 DER signature over SHA-256;
  // RSA PKCS#1 v1.5 over SHA-256.
  bool verify(util::ByteView message, util::ByteView signature) const;

  bool operator==(const PublicKey& other) const = default;

 private:
  PublicKey(KeyType type, util::Bytes data) : type_(type), data_(std::move(data)) {}
  KeyType type_ = KeyType::kEd25519;
  util::Bytes data_;
};

// Our own identity key. Only Ed25519 is generated or loaded, as EdgeVPN does.
class PrivateKey {
 public:
  static PrivateKey generate_ed25519();
  static PrivateKey ed25519_from_seed(const std::array<uint8_t, 32>& seed);
  // Decodes libp2p's PrivateKey protobuf (Ed25519: Data = 64 bytes seed || public key; a
  // 32-byte seed and the legacy 96-byte seed || pub || pub are accepted too). Other key types
  // are kUnsupported.
  static util::Result<PrivateKey> from_protobuf(util::ByteView encoded);

  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;
  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  ~PrivateKey();  // wipes the seed

  util::Bytes to_protobuf() const;  // PrivateKey{Type=Ed25519, Data=seed||pub}
  PublicKey public_key() const;
  std::array<uint8_t, 64> sign(util::ByteView message) const;
  const std::array<uint8_t, 32>& seed() const { return seed_; }
  const std::array<uint8_t, 32>& public_raw() const { return public_; }

 private:
  PrivateKey() = default;
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 32> public_{};
};

}  // namespace edgevpn::crypto
