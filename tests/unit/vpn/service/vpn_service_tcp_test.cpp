// A TCP transfer through two VpnServices on real TUN devices in two network namespaces the test
// creates (each node on its own io thread, as two processes would be): the bytes arrive intact,
// and the rate is printed. EDGEVPN_TCP_TEST_MB and EDGEVPN_TCP_TEST_MTU scale it for measuring.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>
#include <cstdlib>
#include <cstring>
#include <future>
#include <thread>

#include "../tun/fresh_netns.hpp"
#include "crypto/keys.hpp"
#include "p2p/host/host.hpp"
#include "vpn/service/vpn_service.hpp"
#include "vpn/tun/tun_device.hpp"

namespace edgevpn::vpn {
namespace {

using namespace std::chrono_literals;

size_t env_or(const char* name, size_t fallback) {
  const char* value = std::getenv(name);
  return value ? static_cast<size_t>(std::strtoul(value, nullptr, 10)) : fallback;
}

bool bring_loopback_up() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  ::close(fd);
  return ok;
}

asio::awaitable<bool> connect(p2p::host::Host& host, p2p::Multiaddr address) {
  co_return (co_await host.connect(address)).ok();
}

// One VPN node: its own io thread, host (listening on the second namespace's loopback), TUN.
struct Node {
  Node(const char* name, const char* cidr, int mtu) {
    TunOptions options;
    options.name = name;
    options.addresses = {IpNetwork::parse(cidr).value()};
    options.mtu = mtu;
    auto opened = TunDevice::open(options);
    if (!opened.ok()) {
      error = opened.error().describe();
      return;
    }
    tun.emplace(std::move(*opened));
    config.addresses = options.addresses;
  }

  void start(const std::vector<RouteEntry>& machines) {
    service = std::make_unique<VpnService>(io, *host, tun->fd(), config);
    service->set_routes(machines);
    if (auto started = service->start(); !started.ok()) error = started.error().describe();
    runner = std::thread([this] { io.run(); });
  }

  void stop() {
    std::promise<void> done;
    asio::post(io, [&] {
      service.reset();
      done.set_value();
    });
    done.get_future().wait();
    auto closed = asio::co_spawn(io, host->close(), asio::use_future);
    closed.wait_for(10s);
    guard.reset();
    io.stop();
    runner.join();
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::optional<TunDevice> tun;
  std::unique_ptr<p2p::host::Host> host;
  VpnConfig config;
  std::unique_ptr<VpnService> service;
  std::thread runner;
  std::string error;
};

// The stream repeats this block; an odd size so that packet boundaries wander across it.
constexpr size_t kBlock = 1000003;
const std::vector<uint8_t>& block() {
  static const std::vector<uint8_t> data = [] {
    std::vector<uint8_t> bytes(2 * kBlock);
    uint32_t state = 12345;
    for (size_t i = 0; i < kBlock; ++i) {
      state = state * 1103515245 + 12345;
      bytes[i] = bytes[i + kBlock] = static_cast<uint8_t>(state >> 16);
    }
    return bytes;
  }();
  return data;
}

std::string tcp_transfer() {
  const size_t megabytes = env_or("EDGEVPN_TCP_TEST_MB", 16);
  const int mtu = static_cast<int>(env_or("EDGEVPN_TCP_TEST_MTU", 1200));
  // Namespace 1 (made by the harness): node A's TUN, and the TCP client.
  Node a("evtcpa", "10.1.0.1/24", mtu);
  if (!a.error.empty()) return "SKIP: " + a.error;
  const int first_namespace = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  // Namespace 2: node B's TUN, both hosts on its loopback, and the TCP server.
  if (::unshare(CLONE_NEWNET) != 0) return "SKIP: no second namespace";
  if (!bring_loopback_up()) return "cannot bring lo up";
  Node b("evtcpb", "10.1.0.2/24", mtu);
  if (!b.error.empty()) return b.error;

  p2p::host::HostConfig host_config;
  host_config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
  a.host =
      std::make_unique<p2p::host::Host>(a.io, crypto::PrivateKey::generate_ed25519(), host_config);
  b.host =
      std::make_unique<p2p::host::Host>(b.io, crypto::PrivateKey::generate_ed25519(), host_config);
  if (!a.host->start().ok() || !b.host->start().ok()) return "hosts did not start";
  const std::vector<RouteEntry> machines{{IpAddress::parse("10.1.0.1").value(), a.host->peer_id()},
                                         {IpAddress::parse("10.1.0.2").value(), b.host->peer_id()}};
  const auto b_address = b.host->listen_addrs().front().with_peer_id(b.host->peer_id());
  a.start(machines);
  b.start(machines);
  std::string failure = a.error + b.error;
  auto connected = asio::co_spawn(a.io, connect(*a.host, b_address), asio::use_future);
  if (connected.wait_for(10s) != std::future_status::ready || !connected.get()) {
    failure = "hosts did not connect";
  }

  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(5201);
  inet_pton(AF_INET, "10.1.0.2", &server.sin_addr);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&server), sizeof(server)) != 0 ||
      ::listen(listener, 1) != 0) {
    failure = "listen failed";
  }
  const size_t total = megabytes << 20;
  size_t received = 0;
  bool intact = true;
  double seconds = 0;
  double round_trip_us = 0;
  constexpr int kRoundTrips = 500;
  if (failure.empty()) {
    std::thread client([&] {
      ::setns(first_namespace, CLONE_NEWNET);  // this thread only
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof(server)) != 0) {
        ::close(fd);
        return;
      }
      // Round trips of one byte first: the latency the tunnel adds.
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
      const auto ping_start = std::chrono::steady_clock::now();
      char byte = 'p';
      for (int i = 0; i < kRoundTrips; ++i) {
        if (::send(fd, &byte, 1, MSG_NOSIGNAL) != 1 || ::recv(fd, &byte, 1, 0) != 1) break;
      }
      round_trip_us =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - ping_start)
              .count() /
          kRoundTrips;
      for (size_t sent = 0; sent < total;) {
        const size_t n = std::min<size_t>(128 * 1024, total - sent);
        const ssize_t written = ::send(fd, block().data() + sent % kBlock, n, MSG_NOSIGNAL);
        if (written <= 0) break;
        sent += static_cast<size_t>(written);
      }
      ::close(fd);
    });
    timeval timeout{10, 0};
    const int connection = ::accept(listener, nullptr, nullptr);
    auto start = std::chrono::steady_clock::now();
    if (connection >= 0) {
      ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
      const int on = 1;
      ::setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
      char byte = 0;
      for (int i = 0; i < kRoundTrips; ++i) {
        if (::recv(connection, &byte, 1, 0) != 1 || ::send(connection, &byte, 1, MSG_NOSIGNAL) != 1)
          break;
      }
      start = std::chrono::steady_clock::now();
      std::vector<uint8_t> buffer(256 * 1024);  // below kBlock: one comparison per read
      for (;;) {
        const ssize_t n = ::recv(connection, buffer.data(), buffer.size(), 0);
        if (n <= 0) break;
        intact = intact && std::memcmp(buffer.data(), block().data() + received % kBlock,
                                       static_cast<size_t>(n)) == 0;
        received += static_cast<size_t>(n);
      }
      ::close(connection);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    client.join();
  }
  ::close(listener);
  ::close(first_namespace);
  if (failure.empty() && received != total) {
    failure = "received " + std::to_string(received) + " of " + std::to_string(total) + " bytes";
  }
  if (failure.empty() && !intact) failure = "the data was corrupted";
  std::promise<VpnStats> stats_promise;
  asio::post(a.io, [&] { stats_promise.set_value(a.service->stats()); });
  const auto stats_a = stats_promise.get_future().get();
  a.stop();
  b.stop();
  if (failure.empty()) {
    std::printf(
        "[ tcp ] %zu MB through the tunnel (mtu %d) in %.2f s: %.0f Mbit/s, round trip %.0f us; "
        "A sent %lu packets in %lu writes, dropped %lu (queue full)\n",
        megabytes, mtu, seconds, total * 8 / seconds / 1e6, round_trip_us,
        static_cast<unsigned long>(stats_a.packets_sent),
        static_cast<unsigned long>(stats_a.fastpath_writes),
        static_cast<unsigned long>(stats_a.dropped_queue_full));
    std::fflush(stdout);
  }
  return failure;
}

TEST(VpnServiceTcpTest, TcpTransferThroughTwoNamespacesArrivesIntact) {
  EDGEVPN_IN_FRESH_NETNS(tcp_transfer, std::chrono::seconds(120));
}

}  // namespace
}  // namespace edgevpn::vpn
