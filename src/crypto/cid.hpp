// Multihash (identity, sha2-256) and CID (v0, v1) encoding, as libp2p peer IDs and the DHT
// rendezvous keys use them: EdgeVPN's rendezvous key is CIDv1(raw, sha2-256(string)) and the DHT
// key is that CID's multihash bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::crypto {

// Multihash function codes (multicodec table).
inline constexpr uint64_t kMultihashIdentity = 0x00;
inline constexpr uint64_t kMultihashSha2_256 = 0x12;

// Content codecs (multicodec table).
inline constexpr uint64_t kCodecRaw = 0x55;
inline constexpr uint64_t kCodecDagPb = 0x70;
inline constexpr uint64_t kCodecLibp2pKey = 0x72;

struct Multihash {
  uint64_t code = 0;
  util::Bytes digest;
  size_t length = 0;  // bytes the multihash took in its input (read_multihash)

  bool operator==(const Multihash& other) const {
    return code == other.code && digest == other.digest;
  }
};

// <varint code><varint digest length><digest>.
util::Bytes encode_multihash(uint64_t code, util::ByteView digest);
util::Bytes identity_multihash(util::ByteView data);
// 0x12 0x20 || SHA-256(data).
util::Bytes sha256_multihash(util::ByteView data);

// Reads one multihash from the front of `in` (any function code; the digest length must fit;
// sha2-256 digests must be 32 bytes). `length` says how many bytes it took.
util::Result<Multihash> read_multihash(util::ByteView in);
// Like read_multihash, but the multihash must span all of `in`.
util::Result<Multihash> decode_multihash(util::ByteView in);

// A content identifier. Version 0 is a bare sha2-256 multihash (codec dag-pb, base58btc text
// "Qm..."); version 1 is <0x01><varint codec><multihash>, text in multibase (base32 'b' by
// default).
class Cid {
 public:
  Cid() = default;
  static Cid v1(uint64_t codec, util::Bytes multihash);
  // CIDv1 bytes, or CIDv0 (34 bytes: 0x12 0x20 digest).
  static util::Result<Cid> from_bytes(util::ByteView bytes);
  // CIDv0 text ("Qm...", 46 characters) or multibase CIDv1 text: 'b' base32 lower, 'B' upper,
  // 'z' base58btc, 'f' hex, 'u' base64url, 'm' base64.
  static util::Result<Cid> parse(std::string_view text);

  uint64_t version() const { return version_; }
  uint64_t codec() const { return codec_; }
  const util::Bytes& multihash() const { return multihash_; }

  util::Bytes bytes() const;
  // CIDv1: 'b' + base32 lower; CIDv0: base58btc.
  std::string to_string() const;

  bool operator==(const Cid& other) const = default;

 private:
  Cid(uint64_t version, uint64_t codec, util::Bytes multihash)
      : version_(version), codec_(codec), multihash_(std::move(multihash)) {}
  uint64_t version_ = 1;
  uint64_t codec_ = kCodecRaw;
  util::Bytes multihash_;
};

// CIDv1(raw, sha2-256(text)) as bytes and as its base32 string ("bafkrei...").
Cid cid_v1_raw_sha256_cid(std::string_view text);
std::string cid_v1_raw_sha256(std::string_view text);

// Decodes a multibase string ('b', 'B', 'z', 'f', 'F', 'u', 'U', 'm', 'M' prefixes).
util::Result<util::Bytes> multibase_decode(std::string_view text);

}  // namespace edgevpn::crypto
