// Commands whose features are not built yet: they validate their inputs like EdgeVPN (token or
// config, --ownership, required arguments) and then say so. Each moves to its own file when it
// is implemented.
#include "cli/command_support.hpp"
#include "cli/commands.hpp"

namespace edgevpn::cli {
namespace {
int pending_network_command(const node::Options& options, std::string_view name) {
  if (!prepare_network_command(options)) return kExitFailure;
  return not_available(name);
}
}  // namespace


int run_proxy(const node::Options& options) { return pending_network_command(options, "proxy"); }
int run_dns(const node::Options& options) { return pending_network_command(options, "dns"); }

int run_peergater_ecdsa_genkey(const node::Options&) {
  return not_available("peergater ecdsa-genkey");
}

}  // namespace edgevpn::cli
