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

int run_vpn(const node::Options& options) { return pending_network_command(options, "vpn"); }

int run_service_add(const node::Options& options) {
  return pending_network_command(options, "service-add");
}
int run_service_connect(const node::Options& options) {
  return pending_network_command(options, "service-connect");
}
int run_file_send(const node::Options& options) {
  return pending_network_command(options, "file-send");
}
int run_file_receive(const node::Options& options) {
  return pending_network_command(options, "file-receive");
}
int run_proxy(const node::Options& options) { return pending_network_command(options, "proxy"); }
int run_dns(const node::Options& options) { return pending_network_command(options, "dns"); }

int run_peergater_ecdsa_genkey(const node::Options&) {
  return not_available("peergater ecdsa-genkey");
}

}  // namespace edgevpn::cli
