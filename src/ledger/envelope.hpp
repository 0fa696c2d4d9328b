// The JSON envelope carried in every EdgeVPN pubsub message (spec section 5.3), encoded exactly
// as Go's encoding/json does it, and decoded as leniently as Go does (case-insensitive keys).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace edgevpn::ledger {

struct Envelope {
  std::string message;    // the sealed hex string
  std::string sender_id;  // "" when sent; receivers overwrite it with the forwarding peer
  nlohmann::json annotations = nullptr;  // null or an object (PeerGuardian: {"sigs": ...})

  bool operator==(const Envelope&) const = default;
};

// {"Message":...,"SenderID":...,"Annotations":...}
std::string encode_envelope(const Envelope& envelope);
// kMalformed for anything Go's json.Unmarshal would reject (or nesting deeper than we accept).
util::Result<Envelope> decode_envelope(std::string_view json);

// Go encoding/json rendering of a decoded JSON value (objects with sorted keys, Go's float
// format, strings escaped by go_quote).
std::string go_json_encode(const nlohmann::json& value);

}  // namespace edgevpn::ledger
