// The VPN data plane: IP packets from the TUN to peers over libp2p streams and back. Between our
// own nodes one long-lived /edgevpn/fastpath/1.0.0 stream per peer carries batches of packets;
// Go EdgeVPN nodes get /edgevpn/0.1, one packet per stream, as they expect (spec 10.1).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "util/result.hpp"
#include "vpn/packet/ip_address.hpp"
#include "vpn/packet/route_index.hpp"
#include "vpn/service/vpn_config.hpp"

namespace asio {
class io_context;
}
namespace edgevpn::p2p::host {
class Host;
}

namespace edgevpn::vpn {

struct ServiceCore;

// Everything runs on the io_context's thread: construct, call and destroy the service there.
class VpnService {
 public:
  // `tun_fd`: one packet per read/write (TunDevice::fd(), or a SOCK_SEQPACKET socket in tests).
  // Not owned; it is made non-blocking and must stay open until stop() or destruction. `host`
  // must outlive the service.
  VpnService(asio::io_context& io, p2p::host::Host& host, int tun_fd, VpnConfig config);
  // Stops (see stop()).
  ~VpnService();
  VpnService(const VpnService&) = delete;
  VpnService& operator=(const VpnService&) = delete;

  // Registers the stream handlers (/edgevpn/0.1, and the fast path unless disabled) and starts
  // reading the TUN. Fails when the fd is unusable or the service was started already.
  util::Status start();
  // Removes the handlers, resets every VPN stream, stops reading and forgets the fd. Queued
  // packets are dropped. Idempotent.
  void stop();

  // Routes from the ledger's `machines` bucket; call on every ledger change. Senders to peers
  // that may no longer receive VPN traffic are closed, their inbound streams cut.
  void set_routes(std::vector<RouteEntry> machines);
  // --static-peertable: when non-empty, used exclusively for routing and access control.
  void set_static_table(std::vector<RouteEntry> table);
  // Our VPN addresses (e.g. after DHCP) and the --router address.
  void set_addresses(std::vector<IpNetwork> addresses);
  void set_router(std::optional<IpAddress> router);

  VpnStats stats() const;
  const RouteIndex& routes() const;
  const VpnConfig& config() const;

 private:
  std::shared_ptr<ServiceCore> core_;
  bool started_ = false;
};

}  // namespace edgevpn::vpn
