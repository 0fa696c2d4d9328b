// Machine entries: what this host announces and whose entry a value is.
#include "node/machine_entry.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ledger/go_json.hpp"

namespace edgevpn::node {
namespace {

std::string hostname() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof(buffer) - 1) != 0) return "";
  return buffer;
}

// Go's GOARCH names for the machines we run on.
std::string go_arch() {
  struct utsname name {};
  if (::uname(&name) != 0) return "";
  const std::string machine = name.machine;
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine.rfind("arm", 0) == 0) return "arm";
  if (machine == "i686" || machine == "i386") return "386";
  return machine;
}

}  // namespace

std::string machine_json(const std::string& peer, const std::string& address,
                         const std::string& version) {
  std::string out = "{\"PeerID\":" + ledger::go_quote(peer);
  out += ",\"Hostname\":" + ledger::go_quote(hostname());
  out += ",\"OS\":\"linux\",\"Arch\":" + ledger::go_quote(go_arch());
  out += ",\"Address\":" + ledger::go_quote(address);
  out += ",\"Version\":" + ledger::go_quote(version) + "}";
  return out;
}

std::optional<std::string> machine_peer(const std::string& value_json) {
  auto parsed = nlohmann::json::parse(value_json, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  for (const auto& [field, value] : parsed.items()) {
    // Go's json.Unmarshal matches field names case-insensitively.
    if (ledger::equal_fold(field, "PeerID") && value.is_string()) return value.get<std::string>();
  }
  return std::nullopt;
}

}  // namespace edgevpn::node
