// libp2p peer IDs (github libp2p/specs peer-ids): multihash of the PublicKey protobuf, with
// base58btc and CIDv1 (libp2p-key) text forms.
#include "crypto/peer_id.hpp"

#include "crypto/cid.hpp"
#include "util/encoding.hpp"

namespace edgevpn::crypto {
namespace {

// Keys whose protobuf is at most this long are inlined (identity multihash), not hashed.
constexpr size_t kMaxInlineKeyLength = 42;
// The longest peer ID text we parse: CIDv1 text of a sha2-256 ID is 59 characters and base58 of
// an inlined key at most 58. Longer input is refused before the (quadratic) base58 decoding.
constexpr size_t kMaxTextLength = 128;

}  // namespace

PeerId PeerId::from_public_key(const PublicKey& key) {
  const util::Bytes encoded = key.to_protobuf();
  if (encoded.size() <= kMaxInlineKeyLength) return PeerId(identity_multihash(encoded));
  return PeerId(sha256_multihash(encoded));
}

util::Result<PeerId> PeerId::from_bytes(util::ByteView multihash) {
  auto decoded = decode_multihash(multihash);
  if (!decoded.ok()) {
    return util::make_error(util::Errc::kMalformed, "peer ID: " + decoded.error().message);
  }
  if (decoded->code == kMultihashIdentity) {
    if (decoded->digest.empty() || decoded->digest.size() > kMaxInlineKeyLength) {
      return util::make_error(util::Errc::kMalformed,
                              "peer ID: identity multihash must hold 1..42 bytes");
    }
  } else if (decoded->code != kMultihashSha2_256) {
    return util::make_error(util::Errc::kUnsupported,
                            "peer ID: multihash must be identity or sha2-256");
  }
  return PeerId(util::Bytes(multihash.begin(), multihash.end()));
}

util::Result<PeerId> PeerId::parse(std::string_view text) {
  if (text.empty()) return util::make_error(util::Errc::kMalformed, "empty peer ID");
  if (text.size() > kMaxTextLength) {
    return util::make_error(util::Errc::kMalformed, "peer ID text too long");
  }
  // Bare base58btc multihash: identity IDs start with '1', sha2-256 ones with "Qm".
  if (text[0] == '1' || text.substr(0, 2) == "Qm") {
    auto bytes = util::base58_decode(text);
    if (!bytes.ok()) return util::make_error(util::Errc::kMalformed, "peer ID: invalid base58");
    return from_bytes(*bytes);
  }
  auto cid = Cid::parse(text);
  if (!cid.ok()) {
    return util::make_error(util::Errc::kMalformed,
                            "peer ID: neither base58 nor a CID: " + cid.error().message);
  }
  if (cid->version() != 1 || cid->codec() != kCodecLibp2pKey) {
    return util::make_error(util::Errc::kMalformed, "peer ID: CID codec is not libp2p-key");
  }
  return from_bytes(cid->multihash());
}

std::string PeerId::to_base58() const {
  return util::base58_encode(bytes_);
}

std::string PeerId::to_cid() const {
  return Cid::v1(kCodecLibp2pKey, bytes_).to_string();
}

std::optional<PublicKey> PeerId::extract_public_key() const {
  auto decoded = decode_multihash(bytes_);
  if (!decoded.ok() || decoded->code != kMultihashIdentity) return std::nullopt;
  auto key = PublicKey::from_protobuf(decoded->digest);
  if (!key.ok()) return std::nullopt;
  return std::move(key).value();
}

bool PeerId::matches(const PublicKey& key) const {
  return !bytes_.empty() && from_public_key(key) == *this;
}

}  // namespace edgevpn::crypto
