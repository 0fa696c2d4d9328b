// Default directories of the options (Go's os.UserHomeDir / os.Getwd / os.TempDir fallbacks).
#include "node/config/options.hpp"

#include <cstdlib>
#include <filesystem>

namespace edgevpn::node {
namespace {
std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}
}  // namespace

std::string default_state_dir() {
  std::string home = env_or_empty("HOME");
  if (!home.empty()) return (std::filesystem::path(home) / ".edgevpn").string();
  std::error_code ignored;
  return (std::filesystem::current_path(ignored) / ".edgevpn").string();
}

std::string default_lease_dir() {
  std::string home = env_or_empty("HOME");
  if (!home.empty()) return (std::filesystem::path(home) / ".edgevpn" / "leases").string();
  std::string tmp = env_or_empty("TMPDIR");
  if (tmp.empty()) tmp = "/tmp";
  return (std::filesystem::path(tmp) / ".edgevpn" / "leases").string();
}

Options defaults_for(Command command) {
  Options options;
  options.command = command;
  switch (command) {
    case Command::kApi:
      options.listen = "127.0.0.1:8080";
      break;
    case Command::kProxy:
      options.listen = ":8080";
      options.api_listen = "127.0.0.1:8081";
      break;
    default:
      break;
  }
  return options;
}

}  // namespace edgevpn::node
