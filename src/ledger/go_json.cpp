// Go encoding/json string escaping (encode.go's appendString with escapeHTML) and small writers.
#include "ledger/go_json.hpp"

#include <algorithm>
#include <cctype>

#include <utility>

namespace edgevpn::ledger {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at `i` (as Go's utf8.DecodeRuneInString accepts it), or 0
// when invalid: overlong forms, surrogates, > U+10FFFF and truncated sequences are invalid.
size_t valid_utf8_length(std::string_view s, size_t i, uint32_t& code_point) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t lead = byte(i);
  size_t length = 0;
  uint32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = code_point << 6 | (byte(i + k) & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

}  // namespace

void append_go_quoted(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<uint8_t>(text[i]);
    if (byte < 0x80) {
      switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<':
        case '>':
        case '&':
        default:
          if (byte < 0x20 || byte == '<' || byte == '>' || byte == '&') {
            out += "\\u00";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
          } else {
            out += static_cast<char>(byte);
          }
      }
      ++i;
      continue;
    }
    uint32_t code_point = 0;
    size_t length = valid_utf8_length(text, i, code_point);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
    } else if (code_point == 0x2028 || code_point == 0x2029) {
      out += code_point == 0x2028 ? "\\u2028" : "\\u2029";
      i += length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  out += '"';
}

std::string go_quote(std::string_view text) {
  std::string out;
  append_go_quoted(out, text);
  return out;
}

void GoObjectWriter::key(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  append_go_quoted(out_, name);
  out_ += ':';
}

GoObjectWriter& GoObjectWriter::field_string(std::string_view name, std::string_view value) {
  key(name);
  append_go_quoted(out_, value);
  return *this;
}

GoObjectWriter& GoObjectWriter::field_int(std::string_view name, int64_t value) {
  key(name);
  out_ += std::to_string(value);
  return *this;
}

GoObjectWriter& GoObjectWriter::field_uint(std::string_view name, uint64_t value) {
  key(name);
  out_ += std::to_string(value);
  return *this;
}

GoObjectWriter& GoObjectWriter::field_bool(std::string_view name, bool value) {
  key(name);
  out_ += value ? "true" : "false";
  return *this;
}

GoObjectWriter& GoObjectWriter::field_raw(std::string_view name, std::string_view json) {
  key(name);
  out_ += json;
  return *this;
}

std::string GoObjectWriter::finish() {
  out_ += '}';
  return std::move(out_);
}

std::string go_encode_string_map(const std::map<std::string, std::string>& map) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : map) {
    if (!first) out += ',';
    first = false;
    append_go_quoted(out, key);
    out += ':';
    append_go_quoted(out, value);
  }
  out += '}';
  return out;
}

bool equal_fold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace edgevpn::ledger
