// VpnService on a real TUN device, in a network namespace the test creates: a UDP datagram from
// the kernel crosses our tunnel to the peer, the reply comes back to the socket, and an unknown
// destination fails fast with "host unreachable" (our ICMP error).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>
#include <cstring>
#include <future>
#include <thread>

#include "../packet/packet_builders.hpp"
#include "../tun/fresh_netns.hpp"
#include "crypto/keys.hpp"
#include "p2p/host/host.hpp"
#include "vpn/packet/ip_packet.hpp"
#include "vpn/service/vpn_service.hpp"
#include "vpn/tun/tun_device.hpp"

namespace edgevpn::vpn {
namespace {

using namespace std::chrono_literals;

std::string bring_loopback_up() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0) return "SIOCGIFFLAGS lo failed";
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  const int result = ::ioctl(fd, SIOCSIFFLAGS, &request);
  ::close(fd);
  return result == 0 ? "" : "cannot bring lo up";
}

std::optional<util::Bytes> receive(int fd, std::chrono::milliseconds timeout) {
  pollfd waiting{fd, POLLIN, 0};
  if (::poll(&waiting, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  util::Bytes packet(70000);
  const ssize_t n = ::recv(fd, packet.data(), packet.size(), 0);
  if (n <= 0) return std::nullopt;
  packet.resize(static_cast<size_t>(n));
  return packet;
}

sockaddr_in udp_address(const char* ip, uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, ip, &address.sin_addr);
  return address;
}

asio::awaitable<bool> connect(p2p::host::Host& host, p2p::Multiaddr address) {
  co_return (co_await host.connect(address)).ok();
}

// The body runs in the forked child, inside its own network namespace.
std::string tunnel_roundtrip() {
  if (auto error = bring_loopback_up(); !error.empty()) return error;
  TunOptions options;
  options.name = "evsvc0";
  options.addresses = {IpNetwork::parse("10.1.0.1/24").value()};
  options.mtu = 1400;
  auto tun = TunDevice::open(options);
  if (!tun.ok()) return "SKIP: " + tun.error().describe();

  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  p2p::host::HostConfig config;
  config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
  p2p::host::Host host_a(io, crypto::PrivateKey::generate_ed25519(), config);
  p2p::host::Host host_b(io, crypto::PrivateKey::generate_ed25519(), config);
  if (!host_a.start().ok() || !host_b.start().ok()) return "hosts did not start";
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return "socketpair";

  VpnConfig config_a;
  config_a.addresses = options.addresses;
  VpnConfig config_b;
  config_b.addresses = {IpNetwork::parse("10.1.0.2/24").value()};
  auto service_a = std::make_unique<VpnService>(io, host_a, tun->fd(), config_a);
  auto service_b = std::make_unique<VpnService>(io, host_b, pair[0], config_b);
  const std::vector<RouteEntry> machines{{IpAddress::parse("10.1.0.1").value(), host_a.peer_id()},
                                         {IpAddress::parse("10.1.0.2").value(), host_b.peer_id()}};
  for (auto* service : {service_a.get(), service_b.get()}) {
    service->set_routes(machines);
    if (!service->start().ok()) return "service did not start";
  }
  std::thread runner([&io] { io.run(); });
  std::string failure;
  {
    auto connected = asio::co_spawn(
        io, connect(host_a, host_b.listen_addrs().front().with_peer_id(host_b.peer_id())),
        asio::use_future);
    if (connected.wait_for(10s) != std::future_status::ready || !connected.get()) {
      failure = "hosts did not connect";
    }
  }

  // A datagram from the kernel, through A's TUN, to B's "kernel".
  const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto local = udp_address("10.1.0.1", 0);
  ::bind(udp, reinterpret_cast<sockaddr*>(&local), sizeof(local));
  socklen_t length = sizeof(local);
  ::getsockname(udp, reinterpret_cast<sockaddr*>(&local), &length);
  auto remote = udp_address("10.1.0.2", 9999);
  if (failure.empty()) {
    ::sendto(udp, "hello", 5, 0, reinterpret_cast<sockaddr*>(&remote), sizeof(remote));
    // The kernel may also send IPv6/IGMP chatter into the TUN: skip what is not ours.
    std::optional<util::Bytes> packet;
    for (int i = 0; i < 10; ++i) {
      packet = receive(pair[1], 5s);
      if (!packet || (packet->size() == 33 && (*packet)[9] == kProtocolUdp)) break;
    }
    if (!packet || packet->size() != 33 || std::memcmp(packet->data() + 28, "hello", 5) != 0) {
      failure = "the datagram did not reach the peer";
    }
  }
  if (failure.empty()) {
    // B answers; A writes the reply into its TUN and the kernel hands it to the socket.
    util::Bytes reply = testing::ipv4_packet("10.1.0.2", "10.1.0.1", 13, kProtocolUdp);
    const uint16_t port = ntohs(local.sin_port);
    const uint8_t udp_header[8] = {
        0x27, 0x0f, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port), 0, 13,
        0,    0};  // no checksum
    std::memcpy(reply.data() + 20, udp_header, 8);
    std::memcpy(reply.data() + 28, "world", 5);
    ::send(pair[1], reply.data(), reply.size(), 0);
    pollfd waiting{udp, POLLIN, 0};
    char answer[16] = {};
    if (::poll(&waiting, 1, 5000) <= 0 || ::recv(udp, answer, sizeof(answer), 0) != 5 ||
        std::memcmp(answer, "world", 5) != 0) {
      failure = "the reply did not come back through the TUN";
    }
  }
  if (failure.empty()) {
    // No route to 10.1.0.77: our ICMP error makes the connected socket fail at once.
    const int probe = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    // Host unreachable is a "soft" error for UDP: reported with IP_RECVERR (TCP gives up on it
    // at connect time the same way).
    const int on = 1;
    ::setsockopt(probe, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
    auto nowhere = udp_address("10.1.0.77", 9999);
    ::connect(probe, reinterpret_cast<sockaddr*>(&nowhere), sizeof(nowhere));
    ::send(probe, "x", 1, 0);
    pollfd waiting{probe, POLLIN | POLLERR, 0};
    char scratch[4];
    if (::poll(&waiting, 1, 3000) <= 0) {
      failure = "no ICMP error for an unknown destination";
    } else if (::recv(probe, scratch, sizeof(scratch), 0) >= 0 || errno != EHOSTUNREACH) {
      failure = std::string("expected EHOSTUNREACH, got ") + std::strerror(errno);
    }
    ::close(probe);
  }
  ::close(udp);

  std::promise<void> stopped;
  asio::post(io, [&] {
    service_a.reset();
    service_b.reset();
    stopped.set_value();
  });
  stopped.get_future().wait();
  for (auto* host : {&host_a, &host_b}) {
    auto closed = asio::co_spawn(io, host->close(), asio::use_future);
    closed.wait_for(10s);
  }
  guard.reset();
  io.stop();
  runner.join();
  return failure;
}

TEST(VpnServiceTunTest, DatagramsCrossTheTunnelAndUnknownDestinationsFailFast) {
  EDGEVPN_IN_FRESH_NETNS(tunnel_roundtrip);
}

}  // namespace
}  // namespace edgevpn::vpn
