// Several routers wired in memory: delivery exactly once over line and random topologies, mesh
// degree bounds, recovery of lost messages through IHAVE/IWANT, floodsub links.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "pubsub_test_network.hpp"

namespace edgevpn::p2p::pubsub {
namespace {

using namespace std::chrono_literals;
using testing::TestNetwork;

const std::string kTopic = "ledger";

void expect_everyone_got_everything_once(TestNetwork& net,
                                         const std::vector<std::pair<size_t, MessageId>>& sent) {
  for (const auto& [origin, id] : sent) {
    for (size_t node = 0; node < net.size(); ++node) {
      if (node == origin) {
        EXPECT_EQ(net.received(node, id), 0u) << "own message delivered back to " << node;
      } else {
        EXPECT_EQ(net.received(node, id), 1u) << "node " << node << " message from " << origin;
      }
    }
  }
}

TEST(GossipsubNetwork, LineTopologyDeliversEveryMessageToAllNodesExactlyOnce) {
  TestNetwork net(6);
  for (size_t i = 0; i + 1 < net.size(); ++i) net.connect(i, i + 1);
  net.subscribe_all(kTopic);
  net.heartbeats(2);
  std::vector<std::pair<size_t, MessageId>> sent;
  for (size_t i = 0; i < net.size(); ++i)
    sent.emplace_back(i, net.publish(i, kTopic, "from " + std::to_string(i)));
  net.heartbeats(3);
  expect_everyone_got_everything_once(net, sent);
  for (size_t i = 0; i < net.size(); ++i) {
    for (const auto& message : net.log(i).messages) {
      EXPECT_EQ(util::to_string(message.data),
                "from " + std::to_string(net.index_of(message.from)));
    }
  }
}

void connect_random(TestNetwork& net, size_t degree, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::set<std::pair<size_t, size_t>> links;
  // A ring keeps the graph connected; random chords add density.
  for (size_t i = 0; i < net.size(); ++i) links.insert({i, (i + 1) % net.size()});
  std::uniform_int_distribution<size_t> pick(0, net.size() - 1);
  while (links.size() < net.size() * degree / 2) {
    size_t a = pick(rng), b = pick(rng);
    if (a == b || links.count({a, b}) || links.count({b, a})) continue;
    links.insert({a, b});
  }
  for (const auto& [a, b] : links) net.connect(a, b);
}

void run_random_topology(bool flood_publish, uint64_t seed) {
  RouterConfig config;
  config.flood_publish = flood_publish;
  TestNetwork net(30, config, seed);
  connect_random(net, 8, seed);
  net.subscribe_all(kTopic);
  net.heartbeats(5);
  std::vector<std::pair<size_t, MessageId>> sent;
  for (size_t i = 0; i < net.size(); i += 3) {
    sent.emplace_back(i, net.publish(i, kTopic, "m" + std::to_string(i)));
  }
  net.heartbeats(3);
  expect_everyone_got_everything_once(net, sent);
}

TEST(GossipsubNetwork, RandomTopologyWithFloodPublishDeliversExactlyOnce) {
  run_random_topology(true, 3);
}

TEST(GossipsubNetwork, RandomTopologyOverMeshOnlyDeliversExactlyOnce) {
  run_random_topology(false, 4);
}

TEST(GossipsubNetwork, MeshHealsAfterPeersLeave) {
  TestNetwork net(20, {}, 8);
  connect_random(net, 10, 8);
  net.subscribe_all(kTopic);
  net.heartbeats(3);
  // Node 0 loses every link; the others repair their meshes without it.
  for (size_t i = 1; i < net.size(); ++i) net.disconnect(0, i);
  net.heartbeats(2);
  for (size_t i = 1; i < net.size(); ++i) {
    for (const auto& peer : net.node(i).mesh_peers(kTopic)) EXPECT_NE(peer, net.id(0));
  }
  auto id = net.publish(5, kTopic, "after churn");
  net.heartbeats(2);
  for (size_t i = 1; i < net.size(); ++i) {
    if (i != 5) {
      EXPECT_EQ(net.received(i, id), 1u) << "node " << i;
    }
  }
  EXPECT_EQ(net.received(0, id), 0u);
}

TEST(GossipsubNetwork, BurstsAreSplitIntoRpcsWithinMaxMessageSize) {
  RouterConfig config;
  config.max_message_size = 4096;
  TestNetwork net(3, config, 9);
  net.connect(0, 1);
  net.connect(1, 2);
  size_t largest = 0;
  net.set_hook(
      [&](size_t, size_t, pb::RPC& rpc) { largest = std::max(largest, rpc.ByteSizeLong()); });
  net.subscribe_all(kTopic);
  net.heartbeats(2);
  std::vector<std::pair<size_t, MessageId>> sent;
  for (int i = 0; i < 20; ++i) {
    auto id = net.node(0).publish(kTopic, util::Bytes(1000, static_cast<uint8_t>(i)), net.now());
    ASSERT_TRUE(id.ok());
    sent.emplace_back(0, *id);
  }
  net.deliver();
  net.heartbeats(2);
  expect_everyone_got_everything_once(net, sent);
  EXPECT_LE(largest, config.max_message_size);
  EXPECT_GT(largest, 3000u) << "messages are batched";
}

TEST(GossipsubNetwork, MeshDegreeSettlesBetweenDloAndDhi) {
  RouterConfig config;
  TestNetwork net(25, config, 5);
  for (size_t a = 0; a < net.size(); ++a) {
    for (size_t b = a + 1; b < net.size(); ++b) net.connect(a, b);
  }
  net.subscribe_all(kTopic);
  net.heartbeats(10);
  for (size_t i = 0; i < net.size(); ++i) {
    const size_t degree = net.node(i).mesh_peers(kTopic).size();
    EXPECT_GE(degree, config.d_low) << "node " << i;
    EXPECT_LE(degree, config.d_high) << "node " << i;
  }
  // Mesh links are symmetric once GRAFT/PRUNE settled.
  for (size_t i = 0; i < net.size(); ++i) {
    for (const auto& peer : net.node(i).mesh_peers(kTopic)) {
      auto other = net.node(net.index_of(peer)).mesh_peers(kTopic);
      EXPECT_NE(std::find(other.begin(), other.end(), net.id(i)), other.end());
    }
  }
}

TEST(GossipsubNetwork, LostMeshMessageIsRecoveredThroughIhaveIwant) {
  RouterConfig config;
  config.d = 1;
  config.d_low = 1;
  config.d_high = 2;
  config.d_out = 0;
  TestNetwork net(4, config, 7);
  for (size_t a = 0; a < net.size(); ++a) {
    for (size_t b = a + 1; b < net.size(); ++b) net.connect(a, b);
  }
  net.subscribe_all(kTopic);
  net.heartbeats(3);

  bool losing = true;
  size_t dropped = 0, iwants_from_3 = 0;
  net.set_hook([&](size_t from, size_t to, pb::RPC& rpc) {
    if (to == 3 && losing && rpc.publish_size() > 0) {
      dropped += rpc.publish_size();
      rpc.clear_publish();
    }
    if (from == 3) iwants_from_3 += rpc.control().iwant_size();
  });
  auto id = net.publish(0, kTopic, "lost once");
  losing = false;
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(net.received(3, id), 0u);
  net.heartbeats(1);
  EXPECT_EQ(net.received(3, id), 1u);
  EXPECT_GT(iwants_from_3, 0u);
  net.heartbeats(3);
  EXPECT_EQ(net.received(3, id), 1u);
  EXPECT_EQ(net.received(1, id), 1u);
  EXPECT_EQ(net.received(2, id), 1u);
}

TEST(GossipsubNetwork, FloodsubLinkCarriesMessagesBothWaysWithoutControl) {
  TestNetwork net(3);
  net.connect(0, 1);
  net.connect(1, 2, Protocol::kFloodsub);
  size_t control_on_flood_link = 0;
  net.set_hook([&](size_t from, size_t to, pb::RPC& rpc) {
    if ((from == 2 || to == 2) && rpc.has_control()) ++control_on_flood_link;
  });
  net.subscribe_all(kTopic);
  net.heartbeats(2);
  auto from0 = net.publish(0, kTopic, "to floodsub");
  auto from2 = net.publish(2, kTopic, "from floodsub");
  net.heartbeats(2);
  EXPECT_EQ(net.received(2, from0), 1u);
  EXPECT_EQ(net.received(0, from2), 1u);
  EXPECT_EQ(net.received(1, from2), 1u);
  EXPECT_EQ(control_on_flood_link, 0u);
}

TEST(GossipsubNetwork, MixedProtocolVersionsInteroperate) {
  TestNetwork net(4);
  net.connect(0, 1, Protocol::kMeshsub10);
  net.connect(1, 2, Protocol::kMeshsub11);
  net.connect(2, 3, Protocol::kMeshsub12);
  net.subscribe_all(kTopic);
  net.heartbeats(2);
  std::vector<std::pair<size_t, MessageId>> sent;
  sent.emplace_back(0, net.publish(0, kTopic, std::string(3000, 'a')));
  sent.emplace_back(3, net.publish(3, kTopic, std::string(3000, 'b')));
  net.heartbeats(2);
  expect_everyone_got_everything_once(net, sent);
}

TEST(GossipsubNetwork, PeerExchangeOnUnsubscribeOffersOtherTopicPeers) {
  TestNetwork net(4);
  net.connect(0, 1);
  net.connect(0, 2);
  net.connect(0, 3);
  net.subscribe_all(kTopic);
  net.heartbeats(2);
  net.node(0).unsubscribe(kTopic, net.now());
  net.deliver();
  // Nodes 1..3 learn of each other from node 0's PRUNE and ask the host to dial them.
  for (size_t i = 1; i < net.size(); ++i) {
    std::set<size_t> offered;
    for (const auto& dial : net.log(i).dials) offered.insert(net.index_of(dial.peer));
    std::set<size_t> others;
    for (size_t j = 1; j < net.size(); ++j) {
      if (j != i) others.insert(j);
    }
    EXPECT_EQ(offered, others) << "node " << i;
  }
}

TEST(GossipsubNetwork, RejoinAfterBackoffRebuildsMesh) {
  TestNetwork net(3);
  net.connect(0, 1);
  net.connect(0, 2);
  net.connect(1, 2);
  net.subscribe_all(kTopic);
  net.heartbeats(2);
  net.node(0).unsubscribe(kTopic, net.now());
  net.deliver();
  EXPECT_TRUE(net.node(1).mesh_peers(kTopic) == std::vector<crypto::PeerId>{net.id(2)});
  net.node(0).subscribe(kTopic, net.now());
  net.deliver();
  EXPECT_TRUE(net.node(0).mesh_peers(kTopic).empty()) << "backing off after our own PRUNE";
  net.heartbeats(13);
  EXPECT_EQ(net.node(0).mesh_peers(kTopic).size(), 2u);
  EXPECT_EQ(net.node(1).mesh_peers(kTopic).size(), 2u);
  for (size_t i = 0; i < net.size(); ++i) EXPECT_TRUE(net.log(i).misbehaviours.empty()) << i;
}

}  // namespace
}  // namespace edgevpn::p2p::pubsub
