// The TUN device in a network namespace the test creates: configuration through netlink, batch
// read of kernel traffic (read_packets, the data plane's read loop), ICMP errors written back,
// errors, and clean teardown.
#include "vpn/tun/tun_device.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "fresh_netns.hpp"
#include "vpn/packet/icmp_unreachable.hpp"
#include "vpn/packet/ip_packet.hpp"
#include "vpn/tun/packet_reader.hpp"

namespace edgevpn::vpn {
namespace {

#define REQUIRE(cond, what)                                 \
  do {                                                      \
    if (!(cond)) return std::string(what) + " [" #cond "]"; \
  } while (0)

IpNetwork cidr(const char* text) {
  return IpNetwork::parse(text).value();
}

TunOptions dual_stack_options(const char* name = "evtest0") {
  TunOptions options;
  options.name = name;
  options.addresses = {cidr("10.77.0.1/24"), cidr("fd00:77::1/64")};
  options.mtu = 1280;
  return options;
}

// `ip -j addr show dev <name>` in the current (child's) namespace.
nlohmann::json ip_addr_show(const std::string& name) {
  const std::string command = "ip -j addr show dev " + name + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return nullptr;
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  pclose(pipe);
  auto parsed = nlohmann::json::parse(output, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array() || parsed.empty()) return nullptr;
  return parsed[0];
}

bool has_address(const nlohmann::json& link, const std::string& local, int prefix) {
  if (!link.contains("addr_info")) return false;
  for (const auto& info : link["addr_info"]) {
    if (info.value("local", "") == local && info.value("prefixlen", -1) == prefix) return true;
  }
  return false;
}

bool has_flag(const nlohmann::json& link, const std::string& flag) {
  for (const auto& f : link.value("flags", nlohmann::json::array())) {
    if (f == flag) return true;
  }
  return false;
}

// Sends `count` UDP datagrams to `destination`:9 from a connected socket; returns the socket.
int send_udp(int family, const char* destination, int count) {
  const int sock = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  if (family == AF_INET) {
    setsockopt(sock, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    inet_pton(AF_INET, destination, &to.sin_addr);
    if (connect(sock, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) return -1;
  } else {
    setsockopt(sock, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(9);
    inet_pton(AF_INET6, destination, &to.sin6_addr);
    if (connect(sock, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) return -1;
  }
  for (int i = 0; i < count; ++i) {
    if (send(sock, "edgevpn", 7, 0) != 7) return -1;
  }
  return sock;
}

// Reads from the TUN until `wanted` UDP packets to `destination` arrived (other kernel chatter,
// e.g. IPv6 MLD, is skipped). Returns the first of them, or empty on timeout.
util::Bytes read_udp_packets(const TunDevice& tun, const IpAddress& destination, int wanted,
                             int& seen, size_t& largest_batch) {
  PacketBatch batch(16, 2048);
  util::Bytes first;
  seen = 0;
  largest_batch = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (seen < wanted && std::chrono::steady_clock::now() < deadline) {
    if (!tun.wait_readable(std::chrono::milliseconds(200)).ok()) continue;
    batch.clear();
    auto read = read_packets(tun.fd(), batch);
    if (!read.ok()) return {};
    largest_batch = std::max(largest_batch, read->count);
    for (size_t i = 0; i < batch.size(); ++i) {
      auto header = parse_ip_header(batch.packet(i));
      if (!header.ok() || header->protocol != kProtocolUdp || header->destination != destination)
        continue;
      if (seen++ == 0) first.assign(batch.packet(i).begin(), batch.packet(i).end());
    }
  }
  return first;
}

int socket_error_after(int sock, std::chrono::milliseconds timeout) {
  pollfd entry{sock, POLLERR, 0};
  poll(&entry, 1, static_cast<int>(timeout.count()));
  int error = 0;
  socklen_t length = sizeof(error);
  getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length);
  return error;
}

TEST(TunDevice, ConfiguresDualStackAddressesMtuAndLinkUp) {
  EDGEVPN_IN_FRESH_NETNS([]() -> std::string {
    auto tun = TunDevice::open(dual_stack_options());
    REQUIRE(tun.ok(), "open: " + tun.error().describe());
    REQUIRE(tun->name() == "evtest0", "name");
    const auto link = ip_addr_show("evtest0");
    REQUIRE(!link.is_null(), "ip -j addr show gave nothing");
    REQUIRE(link.value("mtu", 0) == 1280, "MTU: " + link.dump());
    REQUIRE(has_flag(link, "UP"), "not up: " + link.dump());
    REQUIRE(has_address(link, "10.77.0.1", 24), "IPv4 address: " + link.dump());
    REQUIRE(has_address(link, "fd00:77::1", 64), "IPv6 address: " + link.dump());
    return "";
  });
}

TEST(TunDevice, BatchReadsKernelUdpAndDeliversIcmpUnreachableBack) {
  EDGEVPN_IN_FRESH_NETNS([]() -> std::string {
    auto tun = TunDevice::open(dual_stack_options());
    REQUIRE(tun.ok(), "open: " + tun.error().describe());
    struct Case {
      int family;
      const char* destination;
    };
    for (const Case& c : {Case{AF_INET, "10.77.0.2"}, Case{AF_INET6, "fd00:77::2"}}) {
      const int sock = send_udp(c.family, c.destination, 5);
      REQUIRE(sock >= 0,
              std::string("sending UDP to ") + c.destination + ": " + std::strerror(errno));
      int seen = 0;
      size_t largest_batch = 0;
      const auto destination = IpAddress::parse(c.destination).value();
      const auto packet = read_udp_packets(*tun, destination, 5, seen, largest_batch);
      REQUIRE(seen == 5,
              std::string("UDP packets read for ") + c.destination + ": " + std::to_string(seen));
      REQUIRE(largest_batch > 1, "expected several packets per read_batch");
      auto header = parse_ip_header(packet);
      REQUIRE(header.ok(), "parse");
      REQUIRE(header->total_length == packet.size(), "length");
      REQUIRE(header->source.to_string() == (c.family == AF_INET ? "10.77.0.1" : "fd00:77::1"),
              "source");
      // The kernel checks our checksums and hands the error to the sending socket.
      auto reply = make_destination_unreachable(packet);
      REQUIRE(reply.has_value(), "no ICMP error built");
      // A corrupted ICMP checksum is dropped by the kernel: no error reaches the socket.
      auto corrupted = *reply;
      corrupted[c.family == AF_INET ? 22 : 42] ^= 0x5a;
      REQUIRE(tun->write(corrupted).ok(), "writing corrupted ICMP error");
      REQUIRE(socket_error_after(sock, std::chrono::milliseconds(300)) == 0,
              "corrupted ICMP accepted");
      const util::ByteView views[] = {*reply};
      auto written = tun->write_batch(views);
      REQUIRE(written.ok() && *written == 1, "writing ICMP error");
      const int error = socket_error_after(sock, std::chrono::milliseconds(3000));
      close(sock);
      REQUIRE(error == EHOSTUNREACH,
              std::string("socket error for ") + c.destination + ": " + std::strerror(error));
    }
    return "";
  });
}

TEST(TunDevice, WithoutBootstrapLeavesInterfaceUnconfigured) {
  EDGEVPN_IN_FRESH_NETNS([]() -> std::string {
    auto options = dual_stack_options();
    options.bootstrap_iface = false;
    auto tun = TunDevice::open(options);
    REQUIRE(tun.ok(), "open: " + tun.error().describe());
    const auto link = ip_addr_show("evtest0");
    REQUIRE(!link.is_null(), "no link");
    REQUIRE(!has_flag(link, "UP"), "should stay down");
    REQUIRE(!has_address(link, "10.77.0.1", 24), "should have no address");
    return "";
  });
}

TEST(TunDevice, ConfigurationRemovesItsAddressesWhenDestroyed) {
  EDGEVPN_IN_FRESH_NETNS([]() -> std::string {
    auto options = dual_stack_options();
    options.bootstrap_iface = false;
    auto tun = TunDevice::open(options);
    REQUIRE(tun.ok(), "open: " + tun.error().describe());
    {
      auto config = InterfaceConfiguration::apply("evtest0", {options.addresses, 1280, true});
      REQUIRE(config.ok(), "apply: " + config.error().describe());
      REQUIRE(has_address(ip_addr_show("evtest0"), "10.77.0.1", 24), "address not added");
    }
    const auto link = ip_addr_show("evtest0");
    REQUIRE(!has_address(link, "10.77.0.1", 24), "IPv4 address left behind: " + link.dump());
    REQUIRE(!has_address(link, "fd00:77::1", 64), "IPv6 address left behind: " + link.dump());
    return "";
  });
}

TEST(TunDevice, RejectsAddressInUseOnAnotherInterfaceLeavingNothingBehind) {
  EDGEVPN_IN_FRESH_NETNS([]() -> std::string {
    auto first = TunDevice::open(dual_stack_options("evtest0"));
    REQUIRE(first.ok(), "open: " + first.error().describe());
    auto options = dual_stack_options("evtest1");
    options.addresses = {cidr("10.78.0.1/24"), cidr("fd00:77::1/64")};
    auto second = TunDevice::open(options);
    REQUIRE(!second.ok(), "second open should fail");
    REQUIRE(second.error().code == util::Errc::kInvalidArgument, second.error().describe());
    REQUIRE(second.error().message.find("in use") != std::string::npos, second.error().message);
    REQUIRE(ip_addr_show("evtest1").is_null(), "evtest1 left behind");
    REQUIRE(has_address(ip_addr_show("evtest0"), "fd00:77::1", 64), "first interface disturbed");
    return "";
  });
}

TEST(TunDevice, ReportsClearErrorsForBadInput) {
  TunOptions long_name;
  long_name.name = "edgevpn-much-too-long";
  auto result = TunDevice::open(long_name);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kInvalidArgument);
  EXPECT_NE(result.error().message.find("15"), std::string::npos);

  EXPECT_FALSE(IpNetwork::parse("10.77.0.1/40").ok());
  EXPECT_FALSE(IpNetwork::parse("10.77.0.300/24").ok());

  auto small_mtu = dual_stack_options();
  small_mtu.mtu = 1200;
  result = TunDevice::open(small_mtu);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kInvalidArgument);
  EXPECT_NE(result.error().message.find("1280"), std::string::npos);

  TunOptions missing;
  missing.device_path = "/nonexistent/net/tun";
  missing.bootstrap_iface = false;
  result = TunDevice::open(missing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kUnsupported);
}

TEST(TunDevice, ReportsProbedKernelFeatures) {
  EDGEVPN_IN_FRESH_NETNS([]() -> std::string {
    auto options = dual_stack_options();
    options.request_multi_queue = true;
    auto tun = TunDevice::open(options);
    REQUIRE(tun.ok(), "open: " + tun.error().describe());
    // Modern kernels offer both; we only use multi-queue when asked and offered.
    REQUIRE(tun->multi_queue() == tun->features().multi_queue, "multi-queue use follows the probe");
    return "";
  });
}

}  // namespace
}  // namespace edgevpn::vpn
