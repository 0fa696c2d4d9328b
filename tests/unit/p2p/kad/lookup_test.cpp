// Tests for the iterative lookup: concurrency, timeouts, termination, and an in-memory network of
// 50 DHT servers where FIND_NODE converges and GET_PROVIDERS finds an ADD_PROVIDER record.
#include "p2p/kad/lookup.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "kad_test_util.hpp"
#include "p2p/kad/dht_server.hpp"

namespace edgevpn::p2p::kad {
namespace {

using testing::make_peer;
using testing::make_peer_id;
using namespace std::chrono_literals;

TEST(Lookup, KeepsAtMostAlphaRequestsInFlight) {
  std::vector<PeerInfo> seeds;
  for (int n = 1; n <= 10; ++n) seeds.push_back(make_peer(n));
  Lookup lookup(MessageType::kFindNode, make_peer_id(99).bytes(), make_peer_id(0), seeds);
  const util::SteadyTime now{};
  auto first = lookup.next_requests(now);
  EXPECT_EQ(first.size(), 3u);
  EXPECT_TRUE(lookup.next_requests(now).empty());
  for (const auto& request : first) {
    EXPECT_EQ(request.message.type, MessageType::kFindNode);
    EXPECT_EQ(request.message.key, make_peer_id(99).bytes());
  }
  lookup.on_failure(first[0].peer.id);
  EXPECT_EQ(lookup.next_requests(now).size(), 1u);
}

TEST(Lookup, AsksTheClosestSeedsFirst) {
  std::vector<PeerInfo> seeds;
  for (int n = 1; n <= 10; ++n) seeds.push_back(make_peer(n));
  const util::Bytes key = make_peer_id(99).bytes();
  Lookup lookup(MessageType::kFindNode, key, make_peer_id(0), seeds);
  std::sort(seeds.begin(), seeds.end(), [&](const PeerInfo& a, const PeerInfo& b) {
    return closer_to(key_for_bytes(key), key_for_peer(a.id), key_for_peer(b.id));
  });
  auto requests = lookup.next_requests({});
  ASSERT_EQ(requests.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(requests[i].peer.id, seeds[i].id);
}

TEST(Lookup, TimedOutRequestsFreeTheirSlot) {
  Lookup lookup(MessageType::kFindNode, make_peer_id(99).bytes(), make_peer_id(0),
                {make_peer(1), make_peer(2), make_peer(3), make_peer(4)});
  const util::SteadyTime start{};
  EXPECT_EQ(lookup.next_requests(start).size(), 3u);
  EXPECT_EQ(lookup.next_deadline(), start + 10s);
  EXPECT_TRUE(lookup.next_requests(start + 9s).empty());
  auto retry = lookup.next_requests(start + 10s);
  EXPECT_EQ(retry.size(), 1u);
  EXPECT_EQ(lookup.in_flight(), 1u);
}

TEST(Lookup, EndsWhenNothingIsLeftToAsk) {
  Lookup lookup(MessageType::kFindNode, make_peer_id(99).bytes(), make_peer_id(0), {make_peer(1)});
  auto requests = lookup.next_requests({});
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(lookup.done());
  Message response;
  response.type = MessageType::kFindNode;
  response.closer_peers = {PeerInfo{make_peer_id(0), {}, {}}};  // only ourselves: ignored
  lookup.on_response(make_peer_id(1), response, {});
  EXPECT_TRUE(lookup.done());
  ASSERT_EQ(lookup.closest().size(), 1u);
  EXPECT_EQ(lookup.closest()[0].id, make_peer_id(1));
}

TEST(Lookup, IgnoresAnswersFromPeersNotAsked) {
  Lookup lookup(MessageType::kFindNode, make_peer_id(99).bytes(), make_peer_id(0), {make_peer(1)});
  Message response;
  response.type = MessageType::kFindNode;
  response.closer_peers = {make_peer(5)};
  lookup.on_response(make_peer_id(1), response, {});  // not asked yet
  EXPECT_EQ(lookup.next_requests({}).size(), 1u);
}

TEST(Lookup, GetProvidersStopsAtTheProviderLimit) {
  LookupConfig config;
  config.provider_limit = 2;
  Lookup lookup(MessageType::kGetProviders, util::to_bytes("key"), make_peer_id(0),
                {make_peer(1), make_peer(2), make_peer(3), make_peer(4)}, config);
  auto requests = lookup.next_requests({});
  Message response;
  response.type = MessageType::kGetProviders;
  response.provider_peers = {make_peer(10), make_peer(10), make_peer(11), make_peer(12)};
  lookup.on_response(requests[0].peer.id, response, {});
  EXPECT_TRUE(lookup.done());
  ASSERT_EQ(lookup.providers().size(), 2u);
  EXPECT_EQ(lookup.providers()[0].id, make_peer_id(10));
  EXPECT_EQ(lookup.providers()[1].id, make_peer_id(11));
}

// An in-memory network of DHT servers answering each other's requests synchronously.
class SimulatedNetwork {
 public:
  explicit SimulatedNetwork(int size) {
    std::mt19937 rng(42);
    for (int n = 1; n <= size; ++n) {
      auto node = std::make_unique<Node>(make_peer_id(n));
      ids_.push_back(make_peer_id(n));
      nodes_.emplace(make_peer_id(n), std::move(node));
    }
    // After bootstrap a node knows its own nearest neighbours and a few random peers; nobody
    // knows everyone, so lookups must hop.
    for (auto& [id, node] : nodes_) {
      std::vector<crypto::PeerId> others;
      for (const auto& other : ids_) {
        if (other != id) others.push_back(other);
      }
      const Key self_key = key_for_peer(id);
      std::sort(others.begin(), others.end(), [&](const auto& a, const auto& b) {
        return closer_to(self_key, key_for_peer(a), key_for_peer(b));
      });
      std::shuffle(others.begin() + 5, others.end(), rng);
      for (size_t i = 0; i < 15; ++i) (void)node->table.update(info_of(others[i]), {});
    }
  }

  PeerInfo info_of(const crypto::PeerId& id) const {
    for (size_t i = 0; i < ids_.size(); ++i) {
      if (ids_[i] == id) return make_peer(static_cast<int>(i) + 1);
    }
    return {};
  }

  // Drives a lookup to completion; every responder is learnt by the asker, as a real node does.
  Lookup run(const crypto::PeerId& asker, MessageType type, const util::Bytes& key) {
    Node& origin = *nodes_.at(asker);
    Lookup lookup(type, key, asker, origin.table.closest(key_for_bytes(key), 3));
    util::SteadyTime now{};
    for (int round = 0; round < 1000 && !lookup.done(); ++round) {
      auto requests = lookup.next_requests(now);
      if (requests.empty()) {
        // Everything in flight went to dead peers: let time pass until they time out.
        auto deadline = lookup.next_deadline();
        if (!deadline) break;
        now = *deadline;
        continue;
      }
      for (const auto& request : requests) {
        if (dead_.contains(request.peer.id)) continue;  // never answers
        Node& target = *nodes_.at(request.peer.id);
        auto response = target.server.handle_request(request.message, asker, now);
        if (!response.ok() || !response->has_value()) {
          lookup.on_failure(request.peer.id);
          continue;
        }
        // Round-trip through the wire format, as the I/O layer would.
        auto decoded = decode(encode(**response));
        lookup.on_response(request.peer.id, decoded.value(), now);
        (void)origin.table.update(request.peer, now);
      }
      now += 10ms;
    }
    return lookup;
  }

  std::vector<crypto::PeerId> true_closest(const util::Bytes& key, size_t k) const {
    auto sorted = ids_;
    const Key target = key_for_bytes(key);
    std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
      return closer_to(target, key_for_peer(a), key_for_peer(b));
    });
    sorted.resize(k);
    return sorted;
  }

  DhtServer& server(const crypto::PeerId& id) { return nodes_.at(id)->server; }
  void kill(const crypto::PeerId& id) { dead_.insert(id); }

 private:
  struct Node {
    explicit Node(crypto::PeerId id) : table(std::move(id)), server(table, store) {}
    RoutingTable table;
    ProviderStore store;
    DhtServer server;
  };
  std::vector<crypto::PeerId> ids_;
  std::map<crypto::PeerId, std::unique_ptr<Node>> nodes_;
  std::set<crypto::PeerId> dead_;
};

std::vector<crypto::PeerId> ids_of(const std::vector<PeerInfo>& peers) {
  std::vector<crypto::PeerId> out;
  for (const auto& peer : peers) out.push_back(peer.id);
  return out;
}

TEST(LookupSimulation, FindNodeConvergesToTheTrueKClosest) {
  SimulatedNetwork network(50);
  for (int target = 1000; target < 1005; ++target) {
    const util::Bytes key = make_peer_id(target).bytes();
    Lookup lookup = network.run(make_peer_id(1 + target % 50), MessageType::kFindNode, key);
    EXPECT_TRUE(lookup.done());
    auto expected = network.true_closest(key, 20);
    auto found = ids_of(lookup.closest());
    // The asker never queries itself: compare against the true set without it.
    const auto asker = make_peer_id(1 + target % 50);
    std::erase(expected, asker);
    found.resize(std::min(found.size(), expected.size()));
    ASSERT_EQ(found.size(), expected.size()) << "target " << target;
    for (size_t i = 0; i < found.size(); ++i) {
      EXPECT_EQ(found[i].to_base58(), expected[i].to_base58())
          << "target " << target << " rank " << i;
    }
  }
}

TEST(LookupSimulation, GetProvidersFindsAProviderAnnouncedAtTheKClosest) {
  SimulatedNetwork network(50);
  const auto digest = crypto::sha256(util::as_bytes("edgevpn rendezvous"));
  util::Bytes key{0x12, 0x20};
  key.insert(key.end(), digest.begin(), digest.end());

  // Provider 7: find the k closest, then ADD_PROVIDER at each of them.
  const PeerInfo provider = make_peer(7);
  Lookup find = network.run(provider.id, MessageType::kFindNode, key);
  ASSERT_TRUE(find.done());
  ASSERT_FALSE(find.closest().empty());
  Message add;
  add.type = MessageType::kAddProvider;
  add.key = key;
  add.provider_peers = {provider};
  for (const auto& peer : find.closest()) {
    auto response = network.server(peer.id).handle_request(add, provider.id, {});
    ASSERT_TRUE(response.ok());
  }

  // Another node looks the providers up.
  Lookup get = network.run(make_peer_id(33), MessageType::kGetProviders, key);
  ASSERT_EQ(get.providers().size(), 1u);
  EXPECT_EQ(get.providers()[0], provider);
}

TEST(LookupSimulation, DeadPeersTimeOutAndAreLeftOutOfTheResult) {
  SimulatedNetwork network(50);
  const util::Bytes key = make_peer_id(2000).bytes();
  auto expected = network.true_closest(key, 30);
  const auto asker = make_peer_id(50);
  std::erase(expected, asker);
  // The three closest peers to the key are down.
  for (size_t i = 0; i < 3; ++i) network.kill(expected[i]);
  Lookup lookup = network.run(asker, MessageType::kFindNode, key);
  EXPECT_TRUE(lookup.done());
  const auto found = ids_of(lookup.closest());
  ASSERT_EQ(found.size(), 20u);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(found[i], expected[i + 3]) << i;
}

}  // namespace
}  // namespace edgevpn::p2p::kad
