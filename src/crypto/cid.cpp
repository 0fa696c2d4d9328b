// Multihash and CID codecs (multiformats specs: multihash, cid, multibase).
#include "crypto/cid.hpp"

#include <sodium.h>

#include <array>

#include "util/encoding.hpp"
#include "util/varint.hpp"

namespace edgevpn::crypto {
namespace {

// Multibase strings longer than this are refused before decoding: nothing we parse (CIDs, peer
// IDs, certificate hashes) comes close, and base58 decoding is quadratic.
constexpr size_t kMaxMultibaseText = 1024;
constexpr size_t kSha256Length = 32;

}  // namespace

util::Bytes encode_multihash(uint64_t code, util::ByteView digest) {
  util::Bytes out;
  out.reserve(2 + digest.size() + 2);
  util::put_uvarint(out, code);
  util::put_uvarint(out, digest.size());
  util::append(out, digest);
  return out;
}

util::Bytes identity_multihash(util::ByteView data) {
  return encode_multihash(kMultihashIdentity, data);
}

util::Bytes sha256_multihash(util::ByteView data) {
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), data.data(), data.size());
  return encode_multihash(kMultihashSha2_256, digest);
}

util::Result<Multihash> read_multihash(util::ByteView in) {
  auto code = util::read_uvarint(in);
  if (!code.ok())
    return util::make_error(code.error().code, "multihash code: " + code.error().message);
  auto rest = in.subspan(code->length);
  auto size = util::read_uvarint(rest);
  if (!size.ok()) {
    return util::make_error(size.error().code, "multihash length: " + size.error().message);
  }
  rest = rest.subspan(size->length);
  if (size->value > rest.size()) {
    return util::make_error(util::Errc::kTruncated, "multihash digest shorter than its length");
  }
  if (code->value == kMultihashSha2_256 && size->value != kSha256Length) {
    return util::make_error(util::Errc::kMalformed, "sha2-256 multihash digest must be 32 bytes");
  }
  Multihash out;
  out.code = code->value;
  out.digest.assign(rest.begin(), rest.begin() + static_cast<ptrdiff_t>(size->value));
  out.length = code->length + size->length + size->value;
  return out;
}

util::Result<Multihash> decode_multihash(util::ByteView in) {
  EDGEVPN_TRY_ASSIGN(mh, read_multihash(in));
  if (mh.length != in.size()) {
    return util::make_error(util::Errc::kMalformed, "trailing bytes after multihash");
  }
  return mh;
}

Cid Cid::v1(uint64_t codec, util::Bytes multihash) {
  return Cid(1, codec, std::move(multihash));
}

util::Result<Cid> Cid::from_bytes(util::ByteView bytes) {
  // CIDv0: a bare sha2-256 multihash (its first byte, 0x12, cannot be a CID version).
  if (bytes.size() == 2 + kSha256Length && bytes[0] == kMultihashSha2_256 && bytes[1] == 0x20) {
    return Cid(0, kCodecDagPb, util::Bytes(bytes.begin(), bytes.end()));
  }
  auto version = util::read_uvarint(bytes);
  if (!version.ok())
    return util::make_error(version.error().code, "cid version: " + version.error().message);
  if (version->value != 1) {
    return util::make_error(util::Errc::kUnsupported,
                            "unsupported cid version " + std::to_string(version->value));
  }
  auto rest = bytes.subspan(version->length);
  auto codec = util::read_uvarint(rest);
  if (!codec.ok())
    return util::make_error(codec.error().code, "cid codec: " + codec.error().message);
  rest = rest.subspan(codec->length);
  EDGEVPN_TRY_ASSIGN(mh, decode_multihash(rest));
  (void)mh;
  return Cid(1, codec->value, util::Bytes(rest.begin(), rest.end()));
}

util::Result<util::Bytes> multibase_decode(std::string_view text) {
  if (text.empty()) return util::make_error(util::Errc::kMalformed, "empty multibase string");
  if (text.size() > kMaxMultibaseText) {
    return util::make_error(util::Errc::kTooLarge, "multibase string too long");
  }
  const std::string_view body = text.substr(1);
  util::Result<util::Bytes> decoded = util::make_error(util::Errc::kUnsupported, "");
  switch (text[0]) {
    case 'b':
    case 'B': decoded = util::base32_decode(body); break;
    case 'z': decoded = util::base58_decode(body); break;
    case 'f':
    case 'F': decoded = util::hex_decode(body); break;
    case 'u': decoded = util::base64_decode(body, util::Base64::kUrlNoPadding); break;
    case 'U': decoded = util::base64_decode(body, util::Base64::kUrl); break;
    case 'm': decoded = util::base64_decode(body, util::Base64::kStandardNoPadding); break;
    case 'M': decoded = util::base64_decode(body, util::Base64::kStandard); break;
    default:
      return util::make_error(util::Errc::kUnsupported,
                              std::string("unsupported multibase prefix '") + text[0] + "'");
  }
  if (!decoded.ok())
    return util::make_error(util::Errc::kMalformed, "multibase: " + decoded.error().message);
  return decoded;
}

util::Result<Cid> Cid::parse(std::string_view text) {
  if (text.size() == 46 && text.substr(0, 2) == "Qm") {
    EDGEVPN_TRY_ASSIGN(bytes, util::base58_decode(text));
    EDGEVPN_TRY_ASSIGN(cid, from_bytes(bytes));
    if (cid.version() != 0) return util::make_error(util::Errc::kMalformed, "not a CIDv0");
    return cid;
  }
  EDGEVPN_TRY_ASSIGN(bytes, multibase_decode(text));
  EDGEVPN_TRY_ASSIGN(cid, from_bytes(bytes));
  if (cid.version() != 1)
    return util::make_error(util::Errc::kMalformed, "multibase CID must be v1");
  return cid;
}

util::Bytes Cid::bytes() const {
  if (version_ == 0) return multihash_;
  util::Bytes out;
  out.reserve(4 + multihash_.size());
  util::put_uvarint(out, 1);
  util::put_uvarint(out, codec_);
  util::append(out, multihash_);
  return out;
}

std::string Cid::to_string() const {
  if (version_ == 0) return util::base58_encode(multihash_);
  return "b" + util::base32_encode(bytes());
}

Cid cid_v1_raw_sha256_cid(std::string_view text) {
  return Cid::v1(kCodecRaw, sha256_multihash(util::as_bytes(text)));
}

std::string cid_v1_raw_sha256(std::string_view text) {
  return cid_v1_raw_sha256_cid(text).to_string();
}

}  // namespace edgevpn::crypto
