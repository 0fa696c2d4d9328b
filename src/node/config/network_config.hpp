// EdgeVPN's network configuration (spec section 2): what `edgevpn -g` generates and what a token
// carries, its YAML/base64 codecs, validation and loading from --token / --config.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/derivations.hpp"
#include "util/result.hpp"

namespace edgevpn::node {

inline constexpr int kDefaultOtpInterval = 360;           // CLI default of --key-otp-interval
inline constexpr int64_t kDefaultMaxMessageSize = 20 << 20;  // 20 MiB
inline constexpr int kDefaultKeyLength = 43;
inline constexpr int kMaxOtpLength = 44;
inline constexpr std::string_view kMissingNetworkError =
    "EDGEVPNCONFIG or EDGEVPNTOKEN not supplied. At least a config file is required";

struct NetworkConfig {
  ledger::OtpSecret dht;     // otp.dht
  ledger::OtpSecret crypto;  // otp.crypto
  std::string room;
  std::string rendezvous;
  std::string mdns;
  int64_t max_message_size = 0;

  bool operator==(const NetworkConfig&) const = default;

  // A new network: random 43-character alphanumeric secrets from a CSPRNG.
  static NetworkConfig generate(int interval = kDefaultOtpInterval,
                                int64_t max_message_size = kDefaultMaxMessageSize,
                                int key_length = kDefaultKeyLength);

  // YAML exactly as EdgeVPN (gopkg.in/yaml.v2) emits it, field order included.
  std::string to_yaml() const;
  // Standard base64 (with padding) of to_yaml().
  std::string to_token() const;

  // DHT discovery has something to rendezvous on (otp.dht.key or the static rendezvous).
  bool dht_enabled() const { return !dht.key.empty() || !rendezvous.empty(); }
  bool mdns_enabled() const { return !mdns.empty(); }
};

// Overlays the keys present in `yaml` onto `config` (absent keys keep their value, unknown keys
// are ignored), as Go's yaml.Unmarshal into an existing struct does. Errors name the field.
util::Status apply_yaml(std::string_view yaml, NetworkConfig& config);
util::Status apply_token(std::string_view token, NetworkConfig& config);

// Parse into a zero config (missing numbers are 0). These do not validate.
util::Result<NetworkConfig> parse_yaml(std::string_view yaml);
util::Result<NetworkConfig> parse_token(std::string_view token);

// Refuses configs EdgeVPN would crash on or that cannot work; the message names the field.
util::Status validate(const NetworkConfig& config);

// One line per optional part that is missing and what that turns off (static rendezvous in use,
// DHT or mDNS discovery disabled).
std::vector<std::string> discovery_notes(const NetworkConfig& config);

// --token applied first, then the --config file (its values win); validated. Both empty is
// EdgeVPN's "EDGEVPNCONFIG or EDGEVPNTOKEN not supplied" error.
util::Result<NetworkConfig> load_network_config(std::string_view token,
                                                const std::string& config_path);

}  // namespace edgevpn::node
