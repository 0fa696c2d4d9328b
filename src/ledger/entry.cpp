// Entry wire codec (legacy bare string or signed object), canonical bytes, sign and verify.
#include "ledger/entry.hpp"

#include <algorithm>
#include <cctype>

#include "crypto/peer_id.hpp"
#include "ledger/go_json.hpp"
#include "util/encoding.hpp"

namespace edgevpn::ledger {
namespace {

using util::Errc;
using util::make_error;


void put_field(util::Bytes& out, std::string_view text) {
  util::put_u64_be(out, text.size());
  util::append(out, util::as_bytes(text));
}

util::Result<uint64_t> as_uint(const nlohmann::json& value, const char* field) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  return make_error(Errc::kMalformed, std::string("entry field ") + field + " is not a uint64");
}

util::Result<int64_t> as_int(const nlohmann::json& value, const char* field) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<int64_t>();
  if (value.is_number_unsigned() && value.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(value.get<uint64_t>());
  }
  return make_error(Errc::kMalformed, std::string("entry field ") + field + " is not an int64");
}

// Go decodes []byte from a base64 string, or (rarely) from an array of small numbers.
util::Result<util::Bytes> as_bytes_field(const nlohmann::json& value) {
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    std::erase_if(text, [](char c) { return c == '\r' || c == '\n'; });  // Go skips these
    auto decoded = util::base64_decode(text);
    if (!decoded) return make_error(Errc::kMalformed, "entry Sig is not base64");
    return std::move(decoded).value();
  }
  if (value.is_array()) {
    util::Bytes out;
    for (const auto& item : value) {
      if (!item.is_number_integer() || item.get<int64_t>() < 0 || item.get<int64_t>() > 255) {
        return make_error(Errc::kMalformed, "entry Sig array holds a non-byte");
      }
      out.push_back(static_cast<uint8_t>(item.get<int64_t>()));
    }
    return out;
  }
  return make_error(Errc::kMalformed, "entry Sig is neither base64 nor null");
}

util::Status decode_field(Entry& entry, std::string_view name, const nlohmann::json& value) {
  if (value.is_null()) {  // Go leaves the field as it was
    if (equal_fold(name, "Sig")) entry.sig.reset();
    return {};
  }
  auto need_string = [&](std::string& target) -> util::Status {
    if (!value.is_string()) {
      return make_error(Errc::kMalformed, "entry field " + std::string(name) + " is not a string");
    }
    target = value.get<std::string>();
    return {};
  };
  if (equal_fold(name, "Value")) return need_string(entry.value);
  if (equal_fold(name, "Owner")) return need_string(entry.owner);
  if (equal_fold(name, "Version")) {
    EDGEVPN_TRY_ASSIGN(version, as_uint(value, "Version"));
    entry.version = version;
    return {};
  }
  if (equal_fold(name, "UpdatedAt")) {
    EDGEVPN_TRY_ASSIGN(updated_at, as_int(value, "UpdatedAt"));
    entry.updated_at = updated_at;
    return {};
  }
  if (equal_fold(name, "Deleted")) {
    if (!value.is_boolean()) return make_error(Errc::kMalformed, "entry Deleted is not a bool");
    entry.deleted = value.get<bool>();
    return {};
  }
  if (equal_fold(name, "Sig")) {
    EDGEVPN_TRY_ASSIGN(sig, as_bytes_field(value));
    entry.sig = std::move(sig);
    return {};
  }
  return {};  // unknown fields are ignored, as in Go
}

}  // namespace

bool same_entry(const Entry& a, const Entry& b) {
  const util::Bytes empty;
  const util::Bytes& sig_a = a.sig ? *a.sig : empty;
  const util::Bytes& sig_b = b.sig ? *b.sig : empty;
  return a.owner == b.owner && a.version == b.version && a.updated_at == b.updated_at &&
         a.deleted == b.deleted && a.value == b.value && sig_a == sig_b;
}

void append_entry(std::string& out, const Entry& entry) {
  if (entry.is_legacy()) {
    append_go_quoted(out, entry.value);
    return;
  }
  out += "{\"Value\":";
  append_go_quoted(out, entry.value);
  out += ",\"Owner\":";
  append_go_quoted(out, entry.owner);
  out += ",\"Version\":" + std::to_string(entry.version);
  out += ",\"UpdatedAt\":" + std::to_string(entry.updated_at);
  out += entry.deleted ? ",\"Deleted\":true" : ",\"Deleted\":false";
  out += ",\"Sig\":";
  if (entry.sig) {
    out += '"';
    out += util::base64_encode(*entry.sig);
    out += '"';
  } else {
    out += "null";
  }
  out += '}';
}

std::string encode_entry(const Entry& entry) {
  std::string out;
  append_entry(out, entry);
  return out;
}

util::Result<Entry> decode_entry(const nlohmann::json& json) {
  Entry entry;
  if (json.is_null()) return entry;
  if (json.is_string()) {
    entry.value = json.get<std::string>();
    return entry;
  }
  if (!json.is_object()) {
    return make_error(Errc::kMalformed, "entry is neither a JSON string nor an object");
  }
  for (const auto& [name, value] : json.items()) {
    EDGEVPN_TRY(decode_field(entry, name, value));
  }
  return entry;
}

util::Result<Entry> parse_entry(std::string_view json_text) {
  auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return make_error(Errc::kMalformed, "entry is not valid JSON");
  return decode_entry(json);
}

util::Bytes canonical_bytes(std::string_view bucket, std::string_view key, const Entry& entry) {
  util::Bytes out;
  out.reserve(8 * 6 + 1 + bucket.size() + key.size() + entry.owner.size() + entry.value.size());
  put_field(out, bucket);
  put_field(out, key);
  put_field(out, entry.owner);
  util::put_u64_be(out, entry.version);
  util::put_u64_be(out, static_cast<uint64_t>(entry.updated_at));
  out.push_back(entry.deleted ? 1 : 0);
  put_field(out, entry.value);
  return out;
}

void sign_entry(std::string_view bucket, std::string_view key, Entry& entry,
                const crypto::PrivateKey& key_pair, std::string owner_id) {
  entry.owner = std::move(owner_id);
  auto signature = key_pair.sign(canonical_bytes(bucket, key, entry));
  entry.sig = util::Bytes(signature.begin(), signature.end());
}

util::Status verify_entry(std::string_view bucket, std::string_view key, const Entry& entry) {
  auto peer = crypto::PeerId::parse(entry.owner);
  if (!peer) return make_error(Errc::kCrypto, "invalid owner id \"" + entry.owner + "\"");
  auto public_key = peer->extract_public_key();
  if (!public_key) return make_error(Errc::kCrypto, "owner id has no embedded public key");
  const util::Bytes empty;
  if (!public_key->verify(canonical_bytes(bucket, key, entry), entry.sig ? *entry.sig : empty)) {
    return make_error(Errc::kCrypto, "signature verification failed");
  }
  return {};
}

}  // namespace edgevpn::ledger
