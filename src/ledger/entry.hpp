// One ledger entry (Go's SignedData): a JSON value plus, under ownership (v0.35), its owner,
// version and Ed25519 signature. Wire codec for both forms and the canonical signing bytes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/keys.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

struct Entry {
  std::string value;  // JSON text of the value (Go's Data)
  std::string owner;  // base58 peer ID of the author, "" when unsigned
  uint64_t version = 0;
  int64_t updated_at = 0;  // unix seconds
  bool deleted = false;
  std::optional<util::Bytes> sig;  // nullopt = Go's nil slice (JSON null)

  // Encoded as a bare JSON string (pre-v0.35 wire form) iff this holds.
  bool is_legacy() const { return owner.empty() && !sig.has_value() && !deleted && version == 0; }

  bool operator==(const Entry&) const = default;
};

// Go's sameEntry: every field equal, a nil and an empty signature counting as equal.
bool same_entry(const Entry& a, const Entry& b);

std::string encode_entry(const Entry& entry);
void append_entry(std::string& out, const Entry& entry);
// Accepts a JSON string (legacy), null (legacy, empty value) or the signed object; anything else
// is kMalformed, as Go's decoder would reject it.
util::Result<Entry> decode_entry(const nlohmann::json& json);
// Same, from JSON text.
util::Result<Entry> parse_entry(std::string_view json_text);

// Spec 6.8: L(bucket) L(key) L(Owner) u64be(Version) u64be(UpdatedAt) byte(Deleted) L(Value).
util::Bytes canonical_bytes(std::string_view bucket, std::string_view key, const Entry& entry);

// Sets entry.owner to `owner_id` (the signer's base58 peer ID) and signs the canonical bytes.
void sign_entry(std::string_view bucket, std::string_view key, Entry& entry,
                const crypto::PrivateKey& key_pair, std::string owner_id);
// Checks that entry.sig is the owner's signature: the owner must be a peer ID with an embedded
// public key (Ed25519). kCrypto on failure, with Go's reason text.
util::Status verify_entry(std::string_view bucket, std::string_view key, const Entry& entry);

}  // namespace edgevpn::ledger
