// Generation, validation and loading of the network config.
#include "node/config/network_config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/random.hpp"

namespace edgevpn::node {
namespace {

util::Error invalid(const std::string& field, const std::string& what) {
  return util::make_error(util::Errc::kInvalidArgument, field + ": " + what);
}

util::Status check_otp(const std::string& prefix, const ledger::OtpSecret& otp) {
  if (otp.interval <= 0) {
    return invalid(prefix + ".interval", "must be > 0 seconds (got " +
                                             std::to_string(otp.interval) + ")");
  }
  if (otp.length < 1 || otp.length > kMaxOtpLength) {
    return invalid(prefix + ".length", "must be within 1.." + std::to_string(kMaxOtpLength) +
                                           " (got " + std::to_string(otp.length) + ")");
  }
  return {};
}

}  // namespace

NetworkConfig NetworkConfig::generate(int interval, int64_t max_message_size, int key_length) {
  auto secret = [key_length] { return crypto::random_alphanumeric(static_cast<size_t>(key_length)); };
  NetworkConfig config;
  // EdgeVPN always writes 43 as the OTP length, whatever the key length.
  config.dht = {secret(), interval, kDefaultKeyLength};
  config.crypto = {secret(), interval, kDefaultKeyLength};
  config.room = secret();
  config.rendezvous = secret();
  config.mdns = secret();
  config.max_message_size = max_message_size;
  return config;
}

util::Status validate(const NetworkConfig& config) {
  if (config.crypto.key.empty()) return invalid("otp.crypto.key", "is empty");
  if (config.room.empty()) return invalid("room", "is empty");
  EDGEVPN_TRY(check_otp("otp.crypto", config.crypto));
  // The DHT OTP block is read only when it has a key.
  if (!config.dht.key.empty()) EDGEVPN_TRY(check_otp("otp.dht", config.dht));
  if (config.max_message_size <= 0) {
    return invalid("max_message_size",
                   "must be > 0 bytes (got " + std::to_string(config.max_message_size) + ")");
  }
  return {};
}

std::vector<std::string> discovery_notes(const NetworkConfig& config) {
  std::vector<std::string> notes;
  if (config.dht.key.empty() && config.rendezvous.empty()) {
    notes.emplace_back("otp.dht.key and rendezvous are empty: DHT discovery is off");
  } else if (config.dht.key.empty()) {
    notes.emplace_back("otp.dht.key is empty: using the static rendezvous (no rotation)");
  }
  if (config.mdns.empty()) notes.emplace_back("mdns is empty: mDNS discovery is off");
  return notes;
}

util::Result<NetworkConfig> load_network_config(std::string_view token,
                                                const std::string& config_path) {
  if (token.empty() && config_path.empty()) {
    return util::make_error(util::Errc::kInvalidArgument, std::string(kMissingNetworkError));
  }
  NetworkConfig config;
  if (!token.empty()) EDGEVPN_TRY(apply_token(token, config));
  if (!config_path.empty()) {
    std::ifstream file(config_path, std::ios::binary);
    if (!file) {
      return util::make_error(util::Errc::kIo, "config: cannot read " + config_path + ": " +
                                                   std::strerror(errno));
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    auto applied = apply_yaml(contents.str(), config);
    if (!applied.ok()) {
      return util::make_error(applied.error().code,
                              "config " + config_path + ": " + applied.error().message);
    }
  }
  EDGEVPN_TRY(validate(config));
  return config;
}

}  // namespace edgevpn::node
