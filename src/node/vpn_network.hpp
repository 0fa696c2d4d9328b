// The VPN on a node (spec 10.1): the TUN device, the data plane, `machines[<my IP>]` announced on
// the ledger, routes rebuilt from the `machines` bucket on every ledger change (never per
// packet), and the connection gater that keeps libp2p dials out of the VPN subnet.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/node.hpp"
#include "util/result.hpp"
#include "vpn/service/vpn_config.hpp"
#include "vpn/tun/tun_device.hpp"

namespace edgevpn::node {

struct VpnNetworkOptions {
  vpn::TunOptions tun;                    // interface, addresses, MTU, bootstrap
  vpn::VpnConfig data_plane;              // addresses filled from tun.addresses
  std::vector<std::string> static_peertable;  // ip:peerid
  std::string router;                     // --router VPN IP, "" for none
  std::string version;                    // Machine.Version
};

// VpnNetworkOptions from the command-line options (--address, repeatable for dual stack,
// --interface, --mtu, --bootstrap-iface, --router, --static-peertable). Errors name the flag.
util::Result<VpnNetworkOptions> vpn_options_from(const Options& options);

class VpnNetwork {
 public:
  // Opens and configures the TUN, starts the data plane and the announce loop.
  static util::Result<std::unique_ptr<VpnNetwork>> start(asio::io_context& io, Node& node,
                                                         VpnNetworkOptions options);
  ~VpnNetwork();
  VpnNetwork(const VpnNetwork&) = delete;
  VpnNetwork& operator=(const VpnNetwork&) = delete;

  // Stops the data plane and removes the interface.
  void stop();
  const std::string& interface_name() const;

  class Impl;

 private:
  explicit VpnNetwork(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // shared: the ledger's announce loop holds it weakly
};

}  // namespace edgevpn::node
