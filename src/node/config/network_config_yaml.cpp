// YAML and token codecs of the network config: emission byte-compatible with gopkg.in/yaml.v2,
// parsing with yaml-cpp (whose exceptions stop here and become errors naming the field).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <limits>

#include "node/config/network_config.hpp"
#include "util/encoding.hpp"

namespace edgevpn::node {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Whether yaml.v2 would read this plain scalar back as something other than a string
// (bool, null, number or timestamp), in which case it quotes it.
bool resolves_to_non_string(std::string_view text) {
  static constexpr std::array<std::string_view, 10> kKeywords = {
      "y", "yes", "true", "on", "n", "no", "false", "off", "null", "~"};
  std::string folded = lower(text);
  if (std::find(kKeywords.begin(), kKeywords.end(), folded) != kKeywords.end()) return true;
  if (!std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  if (text.size() > 1 && text[0] == '0' && std::string_view("bBoOxX").find(text[1]) != std::string_view::npos) return true;
  std::string copy(text);
  char* end = nullptr;
  std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

bool plain_safe(std::string_view text) {
  if (text.empty() || !std::isalnum(static_cast<unsigned char>(text.front()))) return false;
  bool starts_with_digit = std::isdigit(static_cast<unsigned char>(text.front()));
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) continue;
    // Dates and times ("2001-12-14") start with a digit: keep those quoted.
    if (starts_with_digit || std::string_view("./+=-").find(c) == std::string_view::npos) return false;
  }
  return !resolves_to_non_string(text);
}

std::string yaml_scalar(std::string_view text) {
  if (plain_safe(text)) return std::string(text);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

util::Error field_error(const std::string& field, const std::string& what) {
  return util::make_error(util::Errc::kMalformed, field + ": " + what);
}

util::Status read_string(const YAML::Node& node, const std::string& field, std::string& out) {
  if (!node.IsDefined()) return {};
  if (node.IsNull()) {
    out.clear();
    return {};
  }
  if (!node.IsScalar()) return field_error(field, "not a string");
  out = node.Scalar();
  return {};
}

template <class Int>
util::Status read_int(const YAML::Node& node, const std::string& field, Int& out) {
  if (!node.IsDefined()) return {};
  if (node.IsNull()) {
    out = 0;
    return {};
  }
  if (!node.IsScalar()) return field_error(field, "not an integer");
  const std::string& text = node.Scalar();
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE ||
      value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max()) {
    return field_error(field, "not an integer (\"" + text + "\")");
  }
  out = static_cast<Int>(value);
  return {};
}

util::Status read_otp(const YAML::Node& node, const std::string& field, ledger::OtpSecret& otp) {
  if (!node.IsDefined() || node.IsNull()) return {};
  if (!node.IsMap()) return field_error(field, "not a mapping");
  EDGEVPN_TRY(read_int(node["interval"], field + ".interval", otp.interval));
  EDGEVPN_TRY(read_string(node["key"], field + ".key", otp.key));
  EDGEVPN_TRY(read_int(node["length"], field + ".length", otp.length));
  return {};
}

util::Status apply_document(const YAML::Node& root, NetworkConfig& config) {
  if (!root.IsDefined() || root.IsNull()) return {};  // empty document: nothing to overlay
  if (!root.IsMap()) {
    return util::make_error(util::Errc::kMalformed, "not a YAML network config (not a mapping)");
  }
  const YAML::Node otp = root["otp"];
  if (otp.IsDefined() && !otp.IsNull()) {
    if (!otp.IsMap()) return field_error("otp", "not a mapping");
    EDGEVPN_TRY(read_otp(otp["dht"], "otp.dht", config.dht));
    EDGEVPN_TRY(read_otp(otp["crypto"], "otp.crypto", config.crypto));
  }
  EDGEVPN_TRY(read_string(root["room"], "room", config.room));
  EDGEVPN_TRY(read_string(root["rendezvous"], "rendezvous", config.rendezvous));
  EDGEVPN_TRY(read_string(root["mdns"], "mdns", config.mdns));
  EDGEVPN_TRY(read_int(root["max_message_size"], "max_message_size", config.max_message_size));
  return {};
}

}  // namespace

std::string NetworkConfig::to_yaml() const {
  std::string out;
  auto otp_block = [&out](std::string_view name, const ledger::OtpSecret& otp) {
    out += "  ";
    out += name;
    out += ":\n    interval: " + std::to_string(otp.interval) + "\n    key: " +
           yaml_scalar(otp.key) + "\n    length: " + std::to_string(otp.length) + "\n";
  };
  out += "otp:\n";
  otp_block("dht", dht);
  otp_block("crypto", crypto);
  out += "room: " + yaml_scalar(room) + "\n";
  out += "rendezvous: " + yaml_scalar(rendezvous) + "\n";
  out += "mdns: " + yaml_scalar(mdns) + "\n";
  out += "max_message_size: " + std::to_string(max_message_size) + "\n";
  return out;
}

std::string NetworkConfig::to_token() const {
  return util::base64_encode(util::as_bytes(to_yaml()), util::Base64::kStandard);
}

util::Status apply_yaml(std::string_view yaml, NetworkConfig& config) {
  NetworkConfig updated = config;  // all or nothing
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    EDGEVPN_TRY(apply_document(root, updated));
  } catch (const YAML::Exception& error) {
    return util::make_error(util::Errc::kMalformed,
                            std::string("not a YAML network config: ") + error.what());
  }
  config = std::move(updated);
  return {};
}

util::Status apply_token(std::string_view token, NetworkConfig& config) {
  // Go's base64 decoder skips line breaks, so wrapped tokens (base64 without -w0) still work.
  std::string compact;
  compact.reserve(token.size());
  for (char c : token) {
    if (c != '\n' && c != '\r') compact += c;
  }
  auto yaml = util::base64_decode(compact, util::Base64::kStandard);
  if (!yaml.ok()) {
    return util::make_error(util::Errc::kMalformed, "token: not valid base64");
  }
  auto applied = apply_yaml(util::as_string_view(*yaml), config);
  if (!applied.ok()) {
    return util::make_error(applied.error().code, "token: " + applied.error().message);
  }
  return {};
}

util::Result<NetworkConfig> parse_yaml(std::string_view yaml) {
  NetworkConfig config;
  EDGEVPN_TRY(apply_yaml(yaml, config));
  return config;
}

util::Result<NetworkConfig> parse_token(std::string_view token) {
  NetworkConfig config;
  EDGEVPN_TRY(apply_token(token, config));
  return config;
}

}  // namespace edgevpn::node
