// `--dhcp` (spec 10.4): an IPv4 address for this node from the network itself. A lease file in
// --lease-dir is reused across restarts; otherwise the live nodes elect one allocator at a time
// (dhcp/leader), which takes the successor of the highest address in the machines bucket.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "node/node.hpp"
#include "util/result.hpp"
#include "vpn/packet/ip_address.hpp"

namespace edgevpn::node {

struct DhcpOptions {
  std::string lease_dir;
  std::string lease_name;          // dhcp_lease_name(token's crypto key)
  vpn::IpAddress fallback;         // the first address of a network with no machines yet
  int prefix_length = 24;          // EdgeVPN always hands out /24
  std::chrono::milliseconds interval{5000};
  std::chrono::seconds heartbeat_max_age{900};
};

class DhcpAllocator {
 public:
  using OnAddress = std::function<void(const vpn::IpNetwork&)>;
  // Calls `on_address` once (on the io thread) when the node has its address: at once from a
  // lease file, or after the election. Stops when destroyed.
  static util::Result<std::unique_ptr<DhcpAllocator>> start(asio::io_context& io, Node& node,
                                                            DhcpOptions options,
                                                            OnAddress on_address);
  ~DhcpAllocator();
  DhcpAllocator(const DhcpAllocator&) = delete;
  DhcpAllocator& operator=(const DhcpAllocator&) = delete;

  class Impl;

 private:
  explicit DhcpAllocator(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgevpn::node
