// MdnsService in a network namespace of the test's own (a veth pair, so multicast never leaves
// it): two services with the same name find each other, ignore themselves, a third with another
// name stays unseen, and the found address can be dialled.
#include "p2p/discovery/mdns_service.hpp"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <cstdlib>
#include <map>
#include <sstream>

#include "../../../support/netns_child.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using namespace std::chrono_literals;

asio::awaitable<void> dial(host::Host& host, Multiaddr addr, std::shared_ptr<bool> ok) {
  auto connected = co_await host.connect(addr);
  *ok = connected.ok();
}

asio::awaitable<void> close_all(std::vector<host::Host*> hosts) {
  for (auto* host : hosts) co_await host->close();
}

std::string two_services_find_each_other(bool ipv4, bool ipv6) {
  // No duplicate address detection, so IPv6 link-local addresses are usable at once.
  if (std::system("sysctl -qw net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1; "
                  "ip link add mda type veth peer name mdb && ip addr add 10.77.0.1/24 dev mda && "
                  "ip addr add 10.77.0.2/24 dev mdb && ip link set mda up && ip link set mdb up && "
                  "ip link set lo up") != 0) {
    return "SKIP: cannot create a veth pair";
  }
  asio::io_context io;
  auto make_host = [&](const char* ip) {
    host::HostConfig config;
    config.listen_addrs = {*Multiaddr::from_tcp(ip, 0)};
    auto host = std::make_unique<host::Host>(io, crypto::PrivateKey::generate_ed25519(), config);
    (void)host->start();
    return host;
  };
  auto a = make_host("10.77.0.1");
  auto b = make_host("10.77.0.2");
  auto c = make_host("10.77.0.1");
  MdnsConfig config;
  config.service = "edgevpn-test-token-mdns";
  config.ipv4 = ipv4;
  config.ipv6 = ipv6;
  MdnsService mdns_a(io, *a, config);
  MdnsService mdns_b(io, *b, config);
  MdnsConfig other = config;
  other.service = "another-network";
  MdnsService mdns_c(io, *c, other);

  std::map<std::string, std::vector<mdns::DiscoveredPeer>> found;
  mdns_a.on_peer_found([&](const mdns::DiscoveredPeer& p) { found["a"].push_back(p); });
  mdns_b.on_peer_found([&](const mdns::DiscoveredPeer& p) { found["b"].push_back(p); });
  mdns_c.on_peer_found([&](const mdns::DiscoveredPeer& p) { found["c"].push_back(p); });
  for (auto* service : {&mdns_a, &mdns_b, &mdns_c}) {
    if (auto status = service->start(); !status) return "start: " + status.error().describe();
  }
  std::ostringstream problems;
  const auto joined = mdns_a.interfaces();
  const std::string family = ipv4 ? "/ipv4" : "/ipv6";
  if (std::count(joined.begin(), joined.end(), "mda" + family) != 1 ||
      std::count(joined.begin(), joined.end(), "mdb" + family) != 1) {
    problems << "expected mda and mdb joined (" << family << "); ";
  }
  if (!ipv4 && joined.size() != 2) problems << "joined IPv4 while told not to; ";

  const auto deadline = std::chrono::steady_clock::now() + 6s;
  while (std::chrono::steady_clock::now() < deadline &&
         (found["a"].empty() || found["b"].empty())) {
    io.run_for(50ms);
  }
  io.run_for(1500ms);  // let announcements and repeats arrive

  auto saw = [&](const std::string& who, const host::Host& peer) {
    for (const auto& p : found[who]) {
      if (p.id == peer.peer_id()) return true;
    }
    return false;
  };
  if (!saw("a", *b)) problems << "a did not find b; ";
  if (!saw("b", *a)) problems << "b did not find a; ";
  if (saw("a", *a) || saw("b", *b)) problems << "a service reported itself; ";
  if (saw("a", *c) || saw("b", *c)) problems << "a peer of another service was reported; ";
  if (!found["c"].empty()) problems << "c found a peer of another service; ";
  for (const auto& p : found["a"]) {
    if (p.id == b->peer_id() && (p.addrs.empty() || p.addrs.front() != b->listen_addrs().front())) {
      problems << "a got b's address wrong: "
               << (p.addrs.empty() ? std::string("none") : p.addrs.front().to_string()) << "; ";
    }
  }
  // Repeated announcements are not reported again within report_interval.
  size_t reports_of_b = 0;
  for (const auto& p : found["a"]) reports_of_b += p.id == b->peer_id();
  if (reports_of_b != 1) problems << "b reported " << reports_of_b << " times; ";
  // Bounded rates: one browse query at start (next after 4 s), two announcements.
  if (mdns_a.stats().queries_sent > 2) problems << "too many queries; ";

  if (saw("a", *b)) {
    auto ok = std::make_shared<bool>(false);
    asio::co_spawn(io, dial(*a, found["a"].front().addrs.front().with_peer_id(b->peer_id()), ok),
                   asio::detached);
    const auto dial_deadline = std::chrono::steady_clock::now() + 5s;
    while (!*ok && std::chrono::steady_clock::now() < dial_deadline) io.run_for(50ms);
    if (!*ok) problems << "dialling the found address failed; ";
  }

  mdns_a.stop();
  mdns_b.stop();
  mdns_c.stop();
  auto closed = asio::co_spawn(io, close_all({a.get(), b.get(), c.get()}), asio::use_future);
  io.run_for(3s);
  return problems.str();
}

TEST(MdnsServiceTest, ServicesOnALinkFindEachOtherAndNotThemselves) {
  EDGEVPN_IN_OWN_NETNS([] { return two_services_find_each_other(true, true); },
                       std::chrono::seconds(30));
}

TEST(MdnsServiceTest, WorksOverIpv6MulticastAlone) {
  EDGEVPN_IN_OWN_NETNS([] { return two_services_find_each_other(false, true); },
                       std::chrono::seconds(30));
}

}  // namespace
}  // namespace edgevpn::p2p::discovery
