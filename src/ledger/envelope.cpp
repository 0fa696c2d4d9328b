// Envelope codec, plus a Go-compatible writer for nlohmann values (nlohmann's dump escapes
// strings differently from Go).
#include "ledger/envelope.hpp"

#include <charconv>
#include <cmath>

#include "ledger/go_json.hpp"

namespace edgevpn::ledger {
namespace {

constexpr size_t kMaxNesting = 256;

void append_go_number(std::string& out, const nlohmann::json& value) {
  if (value.is_number_integer()) {
    out += value.dump();
    return;
  }
  double number = value.get<double>();
  if (!std::isfinite(number)) {  // Go refuses to encode these; null keeps the output valid JSON
    out += "null";
    return;
  }
  char buffer[64];
  double magnitude = std::fabs(number);
  bool scientific = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  auto result = std::to_chars(buffer, buffer + sizeof buffer, number,
                              scientific ? std::chars_format::scientific : std::chars_format::fixed);
  std::string text(buffer, result.ptr);
  if (scientific) {  // Go trims "e-07" to "e-7"
    auto e = text.find('e');
    if (e != std::string::npos && e + 2 < text.size() && text[e + 2] == '0') {
      text.erase(e + 2, 1);
    }
  }
  out += text;
}

void append_go_json(std::string& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {  // std::map order = Go's sorted map keys
        if (!first) out += ',';
        first = false;
        out += go_quote(key);
        out += ':';
        append_go_json(out, item);
      }
      out += '}';
      break;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ',';
        first = false;
        append_go_json(out, item);
      }
      out += ']';
      break;
    }
    case nlohmann::json::value_t::string:
      out += go_quote(value.get_ref<const std::string&>());
      break;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      append_go_number(out, value);
      break;
    default:
      out += "null";
  }
}

// nlohmann's parser is iterative but our writer and Go's decoder are not: bound the depth.
bool nesting_within_limit(std::string_view json) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxNesting) return false;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

util::Error malformed(std::string message) {
  return util::make_error(util::Errc::kMalformed, "envelope: " + std::move(message));
}

}  // namespace

std::string go_json_encode(const nlohmann::json& value) {
  std::string out;
  append_go_json(out, value);
  return out;
}

std::string encode_envelope(const Envelope& envelope) {
  std::string out = "{\"Message\":";
  out += go_quote(envelope.message);
  out += ",\"SenderID\":";
  out += go_quote(envelope.sender_id);
  out += ",\"Annotations\":";
  append_go_json(out, envelope.annotations);
  out += '}';
  return out;
}

util::Result<Envelope> decode_envelope(std::string_view json) {
  if (!nesting_within_limit(json)) return malformed("nested too deeply");
  auto parsed = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return malformed("not valid JSON");
  Envelope envelope;
  if (parsed.is_null()) return envelope;  // Go: unmarshalling null into a struct is a no-op
  if (!parsed.is_object()) return malformed("not a JSON object");
  // Go matches struct fields case-insensitively; with duplicates the last one wins.
  for (const auto& [key, value] : parsed.items()) {
    if (equals_ignoring_case(key, "Message") || equals_ignoring_case(key, "SenderID")) {
      if (value.is_null()) continue;
      if (!value.is_string()) return malformed(key + " is not a string");
      (equals_ignoring_case(key, "Message") ? envelope.message : envelope.sender_id) =
          value.get<std::string>();
    } else if (equals_ignoring_case(key, "Annotations")) {
      if (!value.is_null() && !value.is_object()) return malformed("Annotations is not an object");
      envelope.annotations = value;
    }
  }
  return envelope;
}

}  // namespace edgevpn::ledger
