// Test fixture for the VPN data plane: libp2p hosts on 127.0.0.1 in one io_context, each with a
// VpnService whose "TUN" is a SOCK_SEQPACKET socketpair (one datagram = one packet). The test
// thread plays the kernel on the other end of each pair.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "../../p2p/host/io_thread.hpp"
#include "../packet/packet_builders.hpp"
#include "crypto/keys.hpp"
#include "p2p/host/host.hpp"
#include "vpn/service/vpn_service.hpp"

namespace edgevpn::vpn::testing {

using namespace std::chrono_literals;

inline IpNetwork network(const char* cidr) {
  return IpNetwork::parse(cidr).value();
}

struct VpnNode {
  std::unique_ptr<p2p::host::Host> host;
  std::unique_ptr<VpnService> service;
  int service_fd = -1;  // the service's "TUN"
  int kernel_fd = -1;   // the test's end
  std::vector<IpNetwork> addresses;
  VpnConfig config;

  ~VpnNode() {
    if (service_fd >= 0) ::close(service_fd);
    if (kernel_fd >= 0) ::close(kernel_fd);
  }
};

class VpnNodeTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& node : nodes_) {
      io_.call([&node] {
        node->service.reset();
        return 0;
      });
    }
    std::vector<p2p::host::Host*> hosts;
    for (auto& node : nodes_) hosts.push_back(node->host.get());
    for (auto& host : bare_hosts_) hosts.push_back(host.get());
    for (auto* host : hosts) {
      try {
        io_.run(host->close(), 10s);
      } catch (...) {
      }
    }
    io_.stop();
    nodes_.clear();
  }

  p2p::host::Host& make_host() {
    p2p::host::HostConfig host_config;
    host_config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
    bare_hosts_.push_back(std::make_unique<p2p::host::Host>(
        io_.io(), crypto::PrivateKey::generate_ed25519(), std::move(host_config)));
    auto& host = *bare_hosts_.back();
    EXPECT_TRUE(io_.call([&host] { return host.start(); }).ok());
    return host;
  }

  // A host with a VPN service on `addresses` (the first is the one put in the machines table).
  VpnNode& make_node(std::vector<IpNetwork> addresses, VpnConfig config = {}) {
    auto node = std::make_unique<VpnNode>();
    p2p::host::HostConfig host_config;
    host_config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
    node->host = std::make_unique<p2p::host::Host>(io_.io(), crypto::PrivateKey::generate_ed25519(),
                                                   std::move(host_config));
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    node->service_fd = fds[0];
    node->kernel_fd = fds[1];
    node->addresses = addresses;
    config.addresses = addresses;
    node->config = config;
    VpnNode& ref = *node;
    nodes_.push_back(std::move(node));
    EXPECT_TRUE(io_.call([&ref] { return ref.host->start(); }).ok());
    start_service(ref);
    return ref;
  }

  void start_service(VpnNode& node) {
    auto status = io_.call([this, &node] {
      node.service =
          std::make_unique<VpnService>(io_.io(), *node.host, node.service_fd, node.config);
      return node.service->start();
    });
    EXPECT_TRUE(status.ok()) << status.error().describe();
  }

  p2p::Multiaddr address_of(p2p::host::Host& host) {
    return io_.call([&host] { return host.listen_addrs().front().with_peer_id(host.peer_id()); });
  }

  void connect(p2p::host::Host& from, p2p::host::Host& to) {
    auto result = io_.run(from.connect(address_of(to)));
    ASSERT_TRUE(result.ok()) << result.error().describe();
  }

  // Every node routes to every other node's first address; hosts are connected pairwise.
  void mesh() {
    std::vector<RouteEntry> machines;
    for (auto& node : nodes_) {
      for (const auto& address : node->addresses) {
        machines.push_back({address.address, node->host->peer_id()});
      }
    }
    for (auto& node : nodes_) {
      io_.call([&node, machines] {
        node->service->set_routes(machines);
        return 0;
      });
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      for (size_t j = i + 1; j < nodes_.size(); ++j) connect(*nodes_[i]->host, *nodes_[j]->host);
    }
  }

  VpnStats stats(VpnNode& node) {
    return io_.call([&node] { return node.service->stats(); });
  }

  // As the kernel: one packet into the node's TUN.
  static void inject(VpnNode& node, util::ByteView packet) {
    ASSERT_EQ(::send(node.kernel_fd, packet.data(), packet.size(), 0),
              static_cast<ssize_t>(packet.size()));
  }

  // As the kernel: the next packet the node wrote to its TUN.
  static std::optional<util::Bytes> receive(VpnNode& node, std::chrono::milliseconds timeout = 5s) {
    pollfd waiting{node.kernel_fd, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    util::Bytes packet(70000);
    const ssize_t n = ::recv(node.kernel_fd, packet.data(), packet.size(), 0);
    if (n <= 0) return std::nullopt;
    packet.resize(static_cast<size_t>(n));
    return packet;
  }

  edgevpn::testing::IoThread io_;
  std::vector<std::unique_ptr<VpnNode>> nodes_;
  std::vector<std::unique_ptr<p2p::host::Host>> bare_hosts_;
};

}  // namespace edgevpn::vpn::testing
