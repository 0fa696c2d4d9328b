// DHT interop with js-libp2p's kad-dht on 127.0.0.1: a C++ KadService and js peers (peer.mjs with
// --dht, server mode) find each other's provider records both ways, and a C++ lookup walks a small
// network of js nodes to a peer it is not connected to.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <cstdlib>
#include <sstream>

#include "../support/netns_child.hpp"
#include "../unit/p2p/host/io_thread.hpp"
#include "js_peer.hpp"
#include "p2p/discovery/kad_service.hpp"
#include "p2p/discovery/mdns_service.hpp"
#include "p2p/discovery/rendezvous_discovery.hpp"
#include "p2p/host/host.hpp"
#include "util/encoding.hpp"

namespace edgevpn::interop {
namespace {

using edgevpn::testing::IoThread;
using namespace p2p;
using namespace p2p::discovery;

class DhtInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = js_peer_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
    host::HostConfig config;
    config.listen_addrs = {*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
    host_ = std::make_unique<host::Host>(io_.io(), crypto::PrivateKey::generate_ed25519(), config);
    ASSERT_TRUE(io_.call([&] { return host_->start(); }).ok());
    KadConfig kad_config;
    kad_config.mode = DhtMode::kServer;  // js must be able to query us
    kad_config.query_timeout = std::chrono::milliseconds(5000);
    kad_ = std::make_unique<KadService>(io_.io(), *host_, kad_config);
    io_.call([&] {
      kad_->start();
      return 0;
    });
  }

  void TearDown() override {
    if (kad_) {
      io_.call([&] {
        kad_->stop();
        return 0;
      });
    }
    if (host_) {
      try {
        io_.run(host_->close(), std::chrono::seconds(10));
      } catch (...) {
      }
    }
    io_.stop();
    kad_.reset();
    host_.reset();
  }

  std::unique_ptr<JsPeer> start_js() {
    auto js = std::make_unique<JsPeer>(std::vector<std::string>{"--dht"});
    EXPECT_TRUE(js->ready());
    return js;
  }

  std::string our_address() {
    return io_.call(
        [&] { return host_->listen_addrs().front().with_peer_id(host_->peer_id()).to_string(); });
  }

  // Polls the js peer's routing table until it holds `count` peers.
  static bool wait_table(JsPeer& js, int count) {
    for (int i = 0; i < 100; ++i) {
      auto result = js.command("dhtPeers");
      if (result.value("ok", false) && result.value("size", 0) >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  IoThread io_;
  std::unique_ptr<host::Host> host_;
  std::unique_ptr<KadService> kad_;
};

TEST_F(DhtInteropTest, ProviderRecordsAreFoundBothWays) {
  auto js1 = start_js();
  auto js2 = start_js();
  ASSERT_TRUE(js1->ready() && js2->ready());
  // C++ bootstraps from js1; js2 dials js1 and us.
  auto connected = io_.run(kad_->bootstrap({*Multiaddr::parse(js1->address())}));
  ASSERT_TRUE(connected.ok()) << connected.error().describe();
  ASSERT_TRUE(js2->command("dial", {{"addr", js1->address()}}).value("ok", false));
  ASSERT_TRUE(js2->command("dial", {{"addr", our_address()}}).value("ok", false));
  ASSERT_TRUE(wait_table(*js1, 2));
  ASSERT_TRUE(wait_table(*js2, 2));
  ASSERT_TRUE(io_.wait_until([&] { return kad_->routing_table().size() >= 2; }));

  // C++ provides, js finds.
  auto provided = io_.run(kad_->provide(rendezvous_key("cpp-rendezvous")));
  ASSERT_TRUE(provided.ok()) << provided.error().describe();
  auto js_found = js2->command("findProviders", {{"key", "cpp-rendezvous"}, {"timeoutMs", 10000}});
  ASSERT_TRUE(js_found.value("ok", false)) << js_found.dump();
  const auto us = io_.call([&] { return host_->peer_id().to_base58(); });
  bool js_saw_us = false;
  for (const auto& p : js_found["providers"]) js_saw_us |= p.value("peer", "") == us;
  EXPECT_TRUE(js_saw_us) << js_found.dump();
  // The CID js computed is the same key.
  EXPECT_EQ(js_found.value("multihash", ""), util::hex_encode(rendezvous_key("cpp-rendezvous")));

  // js provides, C++ finds (and learns js2's address).
  auto js_provided = js2->command("provide", {{"key", "js-rendezvous"}});
  ASSERT_TRUE(js_provided.value("ok", false)) << js_provided.dump();
  auto found = io_.run(kad_->find_providers(rendezvous_key("js-rendezvous"), 10));
  ASSERT_TRUE(found.ok()) << found.error().describe();
  const auto js2_id = *crypto::PeerId::parse(js2->peer_id());
  auto it = std::find_if(found->begin(), found->end(),
                         [&](const kad::PeerInfo& p) { return p.id == js2_id; });
  ASSERT_NE(it, found->end());
  EXPECT_FALSE(it->addrs.empty());
}

TEST_F(DhtInteropTest, LookupWalksANetworkOfJsNodes) {
  // A chain: js1 <- js2 <- js3 <- js4; we know only js1.
  std::vector<std::unique_ptr<JsPeer>> js;
  for (int i = 0; i < 4; ++i) js.push_back(start_js());
  for (auto& peer : js) ASSERT_TRUE(peer->ready());
  for (size_t i = 1; i < js.size(); ++i) {
    ASSERT_TRUE(js[i]->command("dial", {{"addr", js[i - 1]->address()}}).value("ok", false));
  }
  for (auto& peer : js) ASSERT_TRUE(wait_table(*peer, 1));
  auto connected = io_.run(kad_->bootstrap({*Multiaddr::parse(js[0]->address())}));
  ASSERT_TRUE(connected.ok()) << connected.error().describe();

  const auto target = *crypto::PeerId::parse(js[3]->peer_id());
  io_.run(host_->disconnect(target));  // the bootstrap self-lookup may have met it already
  io_.call([&] {
    host_->peerstore().remove(target);
    return 0;
  });
  auto found = io_.run(kad_->find_peer(target), std::chrono::seconds(40));
  ASSERT_TRUE(found.ok()) << found.error().describe();
  ASSERT_FALSE(found->addrs.empty());
  EXPECT_EQ(found->addrs.front().to_string() + "/p2p/" + target.to_base58(), js[3]->address());

  auto closest = io_.run(kad_->find_closest_peers(target.bytes()), std::chrono::seconds(40));
  ASSERT_TRUE(closest.ok()) << closest.error().describe();
  EXPECT_GE(closest->size(), 3u);
  EXPECT_EQ(closest->front().id, target);
}

TEST_F(DhtInteropTest, RendezvousConnectsThroughAJsBootstrapNode) {
  auto bootstrap = start_js();
  auto member = start_js();
  ASSERT_TRUE(bootstrap->ready() && member->ready());
  ASSERT_TRUE(member->command("dial", {{"addr", bootstrap->address()}}).value("ok", false));
  ASSERT_TRUE(wait_table(*member, 1));
  // The js member announces the rendezvous; our round must find it and connect.
  ASSERT_TRUE(member->command("provide", {{"key", "shared-otp"}}).value("ok", false));
  RendezvousConfig config;
  config.bootstrap_peers = {*Multiaddr::parse(bootstrap->address())};
  RendezvousDiscovery discovery(
      io_.io(), *host_, *kad_, [] { return std::vector<std::string>{"shared-otp"}; }, config);
  const auto member_id = *crypto::PeerId::parse(member->peer_id());
  ASSERT_FALSE(io_.call([&] { return host_->is_connected(member_id); }));
  io_.run(discovery.run_round(), std::chrono::seconds(40));
  EXPECT_TRUE(io_.call([&] { return host_->is_connected(member_id); }));
  // And we are a provider the member can find.
  auto js_found = member->command("findProviders", {{"key", "shared-otp"}, {"all", true}});
  ASSERT_TRUE(js_found.value("ok", false)) << js_found.dump();
  const auto us = io_.call([&] { return host_->peer_id().to_base58(); });
  bool saw_us = false;
  for (const auto& p : js_found["providers"]) saw_us |= p.value("peer", "") == us;
  EXPECT_TRUE(saw_us) << js_found.dump();
  io_.call([&] {
    discovery.stop();
    return 0;
  });
}

// In a network namespace of the test's own (veth pair mda 10.77.0.1 <-> mdb 10.77.0.2, the
// multicast route on mdb): our MdnsService on the plain libp2p service name and js-libp2p's mdns
// find each other; the js peer dials what it finds.
std::string mdns_interop_with_js() {
  if (std::system("ip link add mda type veth peer name mdb && ip addr add 10.77.0.1/24 dev mda && "
                  "ip addr add 10.77.0.2/24 dev mdb && ip link set mda up && ip link set mdb up && "
                  "ip link set lo up && ip route add 224.0.0.0/4 dev mdb") != 0) {
    return "SKIP: cannot create a veth pair";
  }
  asio::io_context io;
  host::HostConfig config;
  config.listen_addrs = {*Multiaddr::from_tcp("10.77.0.1", 0)};
  host::Host host(io, crypto::PrivateKey::generate_ed25519(), config);
  if (!host.start()) return "host did not start";
  JsPeer js({"--mdns", "--mdns-interval", "1000", "--host", "10.77.0.2"});
  if (!js.ready()) return "js peer did not start";
  MdnsConfig mdns_config;  // service "_p2p._udp", as js-libp2p's default
  MdnsService mdns(io, host, mdns_config);
  std::vector<mdns::DiscoveredPeer> found;
  mdns.on_peer_found([&](const mdns::DiscoveredPeer& p) { found.push_back(p); });
  if (auto status = mdns.start(); !status) return "mdns: " + status.error().describe();

  const auto js_id = *crypto::PeerId::parse(js.peer_id());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto found_js = [&] {
    return std::any_of(found.begin(), found.end(),
                       [&](const mdns::DiscoveredPeer& p) { return p.id == js_id; });
  };
  while (std::chrono::steady_clock::now() < deadline && !(found_js() && host.is_connected(js_id))) {
    io.run_for(std::chrono::milliseconds(50));
  }
  std::ostringstream problems;
  if (!found_js()) problems << "we did not find the js peer; ";
  for (const auto& p : found) {
    if (p.id == js_id &&
        (p.addrs.empty() || p.addrs.front().to_string().rfind("/ip4/10.77.0.2/tcp/", 0) != 0)) {
      problems << "wrong js address; ";
    }
  }
  const auto us = host.peer_id().to_base58();
  auto discovered = js.wait_event(
      [&](const Json& e) {
        return e.value("event", "") == "peer:discovery" && e.value("peer", "") == us;
      },
      std::chrono::seconds(1));
  if (discovered.is_null()) problems << "js did not discover us; ";
  if (!host.is_connected(js_id)) problems << "js did not dial us; ";
  mdns.stop();
  js.command("quit", Json::object(), std::chrono::seconds(5));
  return problems.str();
}

TEST(MdnsInteropTest, FindsAndIsFoundByJsLibp2pMdns) {
  if (auto reason = js_peer_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
  EDGEVPN_IN_OWN_NETNS(mdns_interop_with_js, std::chrono::seconds(40));
}

}  // namespace
}  // namespace edgevpn::interop
