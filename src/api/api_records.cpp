// Lenient decoding of the ledger's Go value types, as encoding/json fills a struct.
#include "api/api_records.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "api/dns_types.hpp"
#include "ledger/go_json.hpp"

namespace edgevpn::api {
namespace {

// Fills `fields[i]` from the JSON object's member named `names[i]` (exact match preferred, else
// ASCII case-insensitive, as Go does). Non-string members leave the field as it was.
template <size_t N>
std::array<std::string, N> decode_string_fields(std::string_view json_text,
                                                const std::array<std::string_view, N>& names) {
  std::array<std::string, N> fields;
  auto json = nlohmann::json::parse(json_text, nullptr, false);
  if (!json.is_object()) return fields;
  for (size_t i = 0; i < N; ++i) {
    const nlohmann::json* match = nullptr;
    for (const auto& [key, value] : json.items()) {
      if (key == names[i]) {
        match = &value;
        break;
      }
      if (match == nullptr && ledger::equal_fold(key, names[i])) match = &value;
    }
    if (match != nullptr && match->is_string()) fields[i] = match->get<std::string>();
  }
  return fields;
}

}  // namespace

MachineRecord decode_machine(std::string_view value_json) {
  auto f = decode_string_fields<6>(value_json,
                                   {"PeerID", "Hostname", "OS", "Arch", "Address", "Version"});
  return MachineRecord{f[0], f[1], f[2], f[3], f[4], f[5]};
}

NamedRecord decode_named(std::string_view value_json) {
  auto f = decode_string_fields<2>(value_json, {"PeerID", "Name"});
  return NamedRecord{f[0], f[1]};
}

UserRecord decode_user(std::string_view value_json) {
  auto f = decode_string_fields<2>(value_json, {"PeerID", "Timestamp"});
  return UserRecord{f[0], f[1]};
}

std::map<std::string, std::string> decode_dns_records(std::string_view value_json) {
  std::map<std::string, std::string> records;
  auto json = nlohmann::json::parse(value_json, nullptr, false);
  if (!json.is_object()) return records;
  for (const auto& [key, value] : json.items()) {
    uint16_t code = 0;
    auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), code);
    if (error != std::errc() || end != key.data() + key.size() || !value.is_string()) continue;
    records[dns_type_name(code)] = value.get<std::string>();
  }
  return records;
}

util::Result<std::string> encode_dns_records(const std::map<std::string, std::string>& by_name) {
  // Go marshals map[dns.Type]string with the decimal keys sorted as strings: std::map order.
  std::map<std::string, std::string> by_code;
  for (const auto& [name, value] : by_name) {
    auto code = dns_type_code(name);
    if (!code) {
      return util::make_error(util::Errc::kInvalidArgument, "unknown DNS record type: " + name);
    }
    by_code[std::to_string(*code)] = value;
  }
  return ledger::go_encode_string_map(by_code);
}

}  // namespace edgevpn::api
