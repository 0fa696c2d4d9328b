// The node's discovery wiring: command-line options to DiscoveryOptions / ConnectionOptions, and
// nodes on 127.0.0.1 that know only a DHT server node (of another network) finding each other,
// finding each other again after losing every peer, and honouring --blacklist.
#include <gtest/gtest.h>

#include <algorithm>

#include "../p2p/host/io_thread.hpp"
#include "ledger/live/live_ledger.hpp"
#include "node/node.hpp"
#include "p2p/discovery/kad_service.hpp"
#include "p2p/host/host.hpp"

namespace edgevpn::node {
namespace {

using namespace std::chrono_literals;
using edgevpn::testing::IoThread;

util::Result<NodeOptions> from(const Options& options) {
  return node_options_from(options, NetworkConfig::generate(), OwnershipMode::kEnforce,
                           crypto::PrivateKey::generate_ed25519());
}

bool has(const std::vector<p2p::Multiaddr>& list, const std::string& text) {
  return std::find(list.begin(), list.end(), *p2p::Multiaddr::parse(text)) != list.end();
}

TEST(NodeOptionsDiscovery, DefaultsTurnOnDhtWithTheSpecBootstrapPeersAndMdns) {
  auto o = from(Options{});
  ASSERT_TRUE(o.ok()) << o.error().describe();
  EXPECT_TRUE(o->discovery.dht);
  EXPECT_TRUE(o->discovery.mdns);
  EXPECT_EQ(o->discovery.dht_mode, p2p::discovery::DhtMode::kAuto);
  EXPECT_EQ(o->discovery.interval, std::chrono::seconds(720));
  ASSERT_EQ(o->discovery.dht_bootstrap_peers.size(), 5u);
  EXPECT_TRUE(
      has(o->discovery.dht_bootstrap_peers,
          "/ip4/104.131.131.82/tcp/4001/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ"));
  // The public peers are DHT entry points, not peers to hold on to.
  EXPECT_TRUE(o->bootstrap_peers.empty());
  EXPECT_EQ(o->connections.low_water, 160u);
  EXPECT_EQ(o->connections.high_water, 192u);
}

TEST(NodeOptionsDiscovery, LibraryDefaultsKeepDiscoveryOff) {
  NodeOptions o(crypto::PrivateKey::generate_ed25519());
  EXPECT_FALSE(o.discovery.dht);
  EXPECT_FALSE(o.discovery.mdns);
  EXPECT_TRUE(o.discovery.dht_bootstrap_peers.empty());
}

TEST(NodeOptionsDiscovery, GivenBootstrapPeersReplaceTheDefaults) {
  Options options;
  const std::string tcp =
      "/ip4/10.0.0.1/tcp/4001/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ";
  const std::string dns =
      "/dnsaddr/boot.example/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN";
  options.discovery_bootstrap_peers = {tcp, dns};
  options.dht_announce_maddrs = {"/ip4/203.0.113.9/tcp/4001"};
  options.dht_mode = "server";
  options.discovery_interval = 30;
  auto o = from(options);
  ASSERT_TRUE(o.ok()) << o.error().describe();
  ASSERT_EQ(o->discovery.dht_bootstrap_peers.size(), 2u);
  EXPECT_TRUE(has(o->discovery.dht_bootstrap_peers, dns));
  ASSERT_EQ(o->bootstrap_peers.size(), 1u);  // only TCP ones are kept connected
  EXPECT_TRUE(has(o->bootstrap_peers, tcp));
  EXPECT_EQ(o->discovery.dht_mode, p2p::discovery::DhtMode::kServer);
  EXPECT_TRUE(has(o->discovery.dht_announce_addrs, "/ip4/203.0.113.9/tcp/4001"));
  EXPECT_EQ(o->discovery.interval, std::chrono::seconds(30));
}

TEST(NodeOptionsDiscovery, DhtAndMdnsFlagsTurnThemOff) {
  Options options;
  options.dht = false;
  options.mdns = false;
  auto o = from(options);
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->discovery.dht);
  EXPECT_FALSE(o->discovery.mdns);
  EXPECT_TRUE(o->discovery.dht_bootstrap_peers.empty());
}

TEST(NodeOptionsDiscovery, WatermarksApplyOnlyWhenBothAreSet) {
  Options options;
  options.connection_high_water = 50;
  auto one = from(options);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->connections.high_water, 192u);
  options.connection_low_water = 20;
  auto both = from(options);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->connections.low_water, 20u);
  EXPECT_EQ(both->connections.high_water, 50u);
  options.connection_low_water = 60;
  EXPECT_FALSE(from(options).ok());
  options.connection_low_water = -1;
  EXPECT_FALSE(from(options).ok());
}

TEST(NodeOptionsDiscovery, BadValuesNameTheirFlag) {
  Options mode;
  mode.dht_mode = "bogus";
  ASSERT_FALSE(from(mode).ok());
  EXPECT_NE(from(mode).error().message.find("--dht-mode"), std::string::npos);
  Options blacklist;
  blacklist.blacklist = {"10.0.0.0/8", "nonsense"};
  ASSERT_FALSE(from(blacklist).ok());
  EXPECT_NE(from(blacklist).error().message.find("--blacklist"), std::string::npos);
  Options interval;
  interval.discovery_interval = 0;
  EXPECT_FALSE(from(interval).ok());
  Options peer;
  peer.discovery_bootstrap_peers = {"/ip4/10.0.0.1/tcp/4001"};  // no /p2p/
  EXPECT_FALSE(from(peer).ok());
}

// Nodes on 127.0.0.1: a DHT server node with a token of its own, and members of one network that
// know only it.
class NodeDiscoveryTest : public ::testing::Test {
 protected:
  NodeOptions base(const NetworkConfig& network) {
    NodeOptions o(crypto::PrivateKey::generate_ed25519());
    o.network = network;
    o.listen = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
    o.heartbeat = false;
    o.discovery.dht = true;
    o.discovery.dht_mode = p2p::discovery::DhtMode::kClient;
    return o;
  }

  Node& add(NodeOptions options) {
    auto created = io_.call([&] { return Node::create(io_.io(), std::move(options)); });
    EXPECT_TRUE(created.ok()) << created.error().describe();
    nodes_.push_back(std::move(*created));
    Node& node = *nodes_.back();
    EXPECT_TRUE(io_.call([&] { return node.start(); }).ok());
    return node;
  }

  Node& start_server() {
    auto o = base(NetworkConfig::generate());
    o.discovery.dht_mode = p2p::discovery::DhtMode::kServer;
    return add(std::move(o));
  }

  NodeOptions member(const NetworkConfig& network, Node& server) {
    auto o = base(network);
    o.discovery.dht_bootstrap_peers = {io_.call(
        [&] { return server.host().listen_addrs().front().with_peer_id(server.peer_id()); })};
    o.discovery.initial_interval = 300ms;
    o.discovery.interval = 2s;
    return o;
  }

  bool connected(Node& a, Node& b, std::chrono::milliseconds within) {
    return io_.wait_until([&] { return a.host().is_connected(b.peer_id()); }, within);
  }

  void TearDown() override {
    for (auto& node : nodes_) io_.run(node->close());
    io_.call([&] {
      nodes_.clear();
      return 0;
    });
    io_.stop();
  }

  IoThread io_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(NodeDiscoveryTest, MembersMeetThroughTheRendezvousOnADhtServerOfAnotherNetwork) {
  Node& server = start_server();
  EXPECT_TRUE(io_.call([&] { return server.dht() && server.dht()->server_mode(); }));
  const auto network = NetworkConfig::generate();
  Node& a = add(member(network, server));
  Node& b = add(member(network, server));
  EXPECT_TRUE(connected(a, b, 15s));
  EXPECT_GE(io_.call([&] {
    return a.discovery_stats().rendezvous_peers_found + b.discovery_stats().rendezvous_peers_found;
  }),
            1u);
  // A node of a third network on the same DHT meets neither.
  Node& stranger = add(member(NetworkConfig::generate(), server));
  std::this_thread::sleep_for(3s);
  EXPECT_FALSE(io_.call([&] { return stranger.host().is_connected(a.peer_id()); }));
  EXPECT_FALSE(io_.call([&] { return stranger.host().is_connected(b.peer_id()); }));
}

TEST_F(NodeDiscoveryTest, ANodeThatLosesEveryPeerFindsTheNetworkAgain) {
  Node& server = start_server();
  const auto network = NetworkConfig::generate();
  auto slow = [&] {
    auto o = member(network, server);
    o.discovery.initial_interval = 60s;  // no second round within the test but a triggered one
    o.discovery.interval = 60s;
    return o;
  };
  Node& a = add(slow());
  Node& b = add(slow());
  ASSERT_TRUE(connected(a, b, 15s));
  const auto rounds = io_.call([&] { return a.discovery_stats().rendezvous_rounds; });
  io_.run(a.host().disconnect(b.peer_id()));
  io_.run(a.host().disconnect(server.peer_id()));
  EXPECT_TRUE(connected(a, b, 15s));
  EXPECT_GT(io_.call([&] { return a.discovery_stats().rendezvous_rounds; }), rounds);
}

TEST_F(NodeDiscoveryTest, BlacklistedPeersAreNeverConnected) {
  Node& server = start_server();
  const auto network = NetworkConfig::generate();
  auto a_options = member(network, server);
  const auto a_id = crypto::PeerId::from_public_key(a_options.identity.public_key());
  Node& a = add(std::move(a_options));
  auto b_options = member(network, server);
  b_options.connections.blacklist = {a_id.to_base58()};
  Node& b = add(std::move(b_options));
  Node& c = add(member(network, server));
  EXPECT_TRUE(connected(c, a, 15s));
  EXPECT_TRUE(connected(c, b, 15s));
  std::this_thread::sleep_for(2s);  // several rounds at the 2 s cap
  EXPECT_FALSE(io_.call([&] { return b.host().is_connected(a.peer_id()); }));
  EXPECT_FALSE(io_.call([&] { return a.host().is_connected(b.peer_id()); }));
}

TEST_F(NodeDiscoveryTest, ConnectionManagerKeepsTopicPeersAndMachinesOverTheHighWater) {
  const auto network = NetworkConfig::generate();
  auto hub_options = base(network);
  hub_options.discovery.dht = false;
  hub_options.ownership = OwnershipMode::kOff;
  hub_options.connections.low_water = 1;
  hub_options.connections.high_water = 2;
  hub_options.connections.grace = 0ms;
  Node& hub = add(std::move(hub_options));
  const auto hub_addr =
      io_.call([&] { return hub.host().listen_addrs().front().with_peer_id(hub.peer_id()); });
  auto member_options = base(network);
  member_options.discovery.dht = false;
  member_options.bootstrap_peers = {hub_addr};
  Node& member = add(std::move(member_options));
  ASSERT_TRUE(io_.wait_until(
      [&] {
        const auto peers = hub.ledger().topic_peers();
        return std::find(peers.begin(), peers.end(), member.peer_id()) != peers.end();
      },
      15s));
  // Three plain hosts (not on the topic); the ledger names the last one as a machine.
  std::vector<std::unique_ptr<p2p::host::Host>> plain;
  p2p::host::HostConfig config;
  config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
  for (int i = 0; i < 3; ++i) {
    plain.push_back(std::make_unique<p2p::host::Host>(
        io_.io(), crypto::PrivateKey::generate_ed25519(), config));
  }
  const auto machine = plain.back()->peer_id();
  ASSERT_TRUE(io_.call([&] {
    return hub.ledger().add(
        "machines", "10.1.0.9",
        "{\"PeerID\":\"" + machine.to_base58() + "\",\"Address\":\"10.1.0.9\"}");
  }));
  for (auto& host : plain) ASSERT_TRUE(io_.run(host->connect(hub_addr)).ok());
  // Four peers > 2: down to the low water as far as protection allows.
  ASSERT_TRUE(io_.wait_until([&] { return hub.host().connected_peers().size() == 2; }, 10s));
  EXPECT_TRUE(io_.call([&] { return hub.host().is_connected(member.peer_id()); }));
  EXPECT_TRUE(io_.call([&] { return hub.host().is_connected(machine); }));
  EXPECT_EQ(io_.call([&] { return hub.discovery_stats().connections_trimmed; }), 2u);
  for (auto& host : plain) io_.run(host->close());
  io_.call([&] {
    plain.clear();
    return 0;
  });
}

}  // namespace
}  // namespace edgevpn::node
