// `edgevpn -g` (YAML plus an extra newline, as Go's fmt.Println adds one) and `-g -b` (base64
// token, no newline).
#include <iostream>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "node/config/network_config.hpp"

namespace edgevpn::cli {

int run_generate(const node::Options& options) {
  if (options.key_otp_interval <= 0) {
    return fail("key-otp-interval: must be > 0 seconds (got " +
                std::to_string(options.key_otp_interval) + ")");
  }
  auto config = node::NetworkConfig::generate(options.key_otp_interval);
  if (options.base64) {
    std::cout << config.to_token() << std::flush;
  } else {
    std::cout << config.to_yaml() << "\n" << std::flush;
  }
  return std::cout ? 0 : kExitFailure;
}

}  // namespace edgevpn::cli
