// The root action, `edgevpn`: the node plus the VPN (TUN device, data plane, machines entry);
// with --dhcp the VPN starts once the network has handed this node an address.
#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/node_runner.hpp"
#include "edgevpn/version.hpp"
#include "node/dhcp_allocator.hpp"
#include "node/dhcp_policy.hpp"
#include "node/vpn_network.hpp"
#include "util/log/log.hpp"

namespace edgevpn::cli {

int run_vpn(const node::Options& options) {
  auto vpn_options = node::vpn_options_from(options);
  if (!vpn_options) return fail(vpn_options.error().message);
  vpn_options->version = kVersion;
  std::shared_ptr<node::VpnNetwork> vpn;
  std::unique_ptr<node::DhcpAllocator> dhcp;
  return run_node(options, [&](NodeRun& run) -> util::Status {
    run.on_stop.push_back([&vpn, &dhcp] {
      dhcp.reset();
      if (vpn) vpn->stop();
    });
    run.at_exit.push_back([&vpn, &dhcp] {
      dhcp.reset();
      vpn.reset();
    });
    if (!options.dhcp) {
      auto started = node::VpnNetwork::start(run.io, run.node, *vpn_options);
      if (!started) return started.error();
      vpn = std::move(*started);
      return {};
    }
    node::DhcpOptions dhcp_options;
    dhcp_options.lease_dir = options.lease_dir;
    dhcp_options.lease_name = node::dhcp_lease_name(run.node.options().network.crypto.key);
    dhcp_options.fallback = vpn_options->tun.addresses.front().address;
    dhcp_options.heartbeat_max_age = std::chrono::seconds(options.aliveness_healthcheck_max_interval);
    auto on_address = [&vpn, &vpn_options, &run](const vpn::IpNetwork& network) {
      auto with_address = *vpn_options;
      with_address.tun.addresses = {network};
      with_address.data_plane.addresses = {network};
      auto started = node::VpnNetwork::start(run.io, run.node, std::move(with_address));
      if (!started) {
        log::get("vpn")->error("{}", started.error().message);
        run.finish(1);
        return;
      }
      vpn = std::move(*started);
    };
    auto allocator = node::DhcpAllocator::start(run.io, run.node, std::move(dhcp_options),
                                                std::move(on_address));
    if (!allocator) return allocator.error();
    dhcp = std::move(*allocator);
    return {};
  });
}

}  // namespace edgevpn::cli
