// Go encoding/json-compatible writing of strings and objects, so JSON we emit for Go peers
// (blocks, entries, ledger values) is byte-for-byte what a Go node would produce.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace edgevpn::ledger {

// Appends `text` as a JSON string the way Go's json.Marshal does (HTML escaping on):
// `<`, `>`, `&` as \u003c \u003e \u0026; U+2028/U+2029 escaped; control characters as \uXXXX
// except \b \f \n \r \t (Go >= 1.22); each byte of invalid UTF-8 becomes \ufffd.
void append_go_quoted(std::string& out, std::string_view text);
std::string go_quote(std::string_view text);
// ASCII case-insensitive equality, as encoding/json matches object keys to struct fields.
bool equal_fold(std::string_view a, std::string_view b);

// Writes a Go struct's fields in declaration order: {"A":...,"B":...}.
class GoObjectWriter {
 public:
  GoObjectWriter& field_string(std::string_view name, std::string_view value);
  GoObjectWriter& field_int(std::string_view name, int64_t value);
  GoObjectWriter& field_uint(std::string_view name, uint64_t value);
  GoObjectWriter& field_bool(std::string_view name, bool value);
  // `json` must already be valid JSON text (a nested object, null, ...).
  GoObjectWriter& field_raw(std::string_view name, std::string_view json);
  std::string finish();  // leaves the writer empty

 private:
  void key(std::string_view name);
  std::string out_ = "{";
  bool first_ = true;
};

// A Go map[string]string: keys in byte order, values as strings.
std::string go_encode_string_map(const std::map<std::string, std::string>& map);

}  // namespace edgevpn::ledger
