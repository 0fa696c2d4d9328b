// libp2p peer IDs: the multihash of the PublicKey protobuf (identity multihash when the encoded
// key is at most 42 bytes, as for Ed25519; sha2-256 otherwise). Text forms: base58btc
// ("12D3KooW...", "Qm...") and CIDv1 (multibase 'b', codec libp2p-key 0x72).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/keys.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::crypto {

class PeerId {
 public:
  PeerId() = default;
  static PeerId from_public_key(const PublicKey& key);
  // The multihash bytes; checks that they are a valid identity or sha2-256 multihash.
  static util::Result<PeerId> from_bytes(util::ByteView multihash);
  // Accepts base58btc multihash text or a CIDv1 string with codec libp2p-key.
  static util::Result<PeerId> parse(std::string_view text);

  const util::Bytes& bytes() const { return bytes_; }
  std::string to_base58() const;
  std::string to_cid() const;
  // The public key, when it is inlined in the ID (identity multihash).
  std::optional<PublicKey> extract_public_key() const;
  // True when `key` hashes to this ID.
  bool matches(const PublicKey& key) const;
  bool empty() const { return bytes_.empty(); }

  auto operator<=>(const PeerId& other) const = default;

 private:
  explicit PeerId(util::Bytes bytes) : bytes_(std::move(bytes)) {}
  util::Bytes bytes_;
};

}  // namespace edgevpn::crypto

template <>
struct std::hash<edgevpn::crypto::PeerId> {
  size_t operator()(const edgevpn::crypto::PeerId& id) const noexcept {
    return std::hash<std::string_view>{}(edgevpn::util::as_string_view(id.bytes()));
  }
};
