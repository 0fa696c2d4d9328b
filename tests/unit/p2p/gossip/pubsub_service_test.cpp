// GossipSub over real hosts on 127.0.0.1: delivery along a line of nodes, topic peers, and a
// peer sending garbage on its pubsub stream.
#include "p2p/gossip/pubsub_service.hpp"

#include <gtest/gtest.h>

#include <map>

#include "../host/io_thread.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::gossip {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;

constexpr const char* kTopic = "test-topic";

struct TestNode {
  std::unique_ptr<host::Host> host;
  std::unique_ptr<PubsubService> pubsub;
  std::map<std::string, int> received;  // payload -> times delivered
};

class PubsubServiceTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& node : nodes_) {
      io_.call([&node] {
        node->pubsub->stop();
        return 0;
      });
      try {
        io_.run(node->host->close(), 10s);
      } catch (...) {
      }
    }
    io_.stop();
    nodes_.clear();
  }

  TestNode& make_node() {
    auto node = std::make_unique<TestNode>();
    auto key = crypto::PrivateKey::generate_ed25519();
    host::HostConfig config;
    config.listen_addrs = {*Multiaddr::from_tcp("127.0.0.1", 0)};
    node->host = std::make_unique<host::Host>(io_.io(), key, config);
    node->pubsub = std::make_unique<PubsubService>(io_.io(), *node->host, key);
    TestNode* raw = node.get();
    io_.call([raw] {
      EXPECT_TRUE(raw->host->start().ok());
      raw->pubsub->start();
      raw->pubsub->join(kTopic, [raw](const pubsub::MessageEvent& event) {
        ++raw->received[std::string(event.data.begin(), event.data.end())];
      });
      return 0;
    });
    nodes_.push_back(std::move(node));
    return *raw;
  }

  void connect(TestNode& from, TestNode& to) {
    auto addr = io_.call([&to] {
      return to.host->listen_addrs().front().with_peer_id(to.host->peer_id());
    });
    auto result = io_.run(from.host->connect(addr));
    ASSERT_TRUE(result.ok()) << result.error().describe();
  }

  void publish(TestNode& node, const std::string& text) {
    auto id = io_.call([&node, text] {
      return node.pubsub->publish(kTopic, util::ByteView(
                                              reinterpret_cast<const uint8_t*>(text.data()),
                                              text.size()));
    });
    ASSERT_TRUE(id.ok()) << id.error().describe();
  }

  IoThread io_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

TEST_F(PubsubServiceTest, MessagesCrossALineOfNodesOnceEach) {
  if (getenv("PUBSUB_DEBUG")) log::set_level(spdlog::level::debug);
  constexpr int kNodes = 5;
  for (int i = 0; i < kNodes; ++i) make_node();
  for (int i = 0; i + 1 < kNodes; ++i) connect(*nodes_[i], *nodes_[i + 1]);
  // Every inner node sees both neighbours on the topic.
  ASSERT_TRUE(io_.wait_until([&] {
    for (int i = 0; i < kNodes; ++i) {
      const size_t want = (i == 0 || i == kNodes - 1) ? 1 : 2;
      if (nodes_[i]->pubsub->topic_peers(kTopic).size() != want) return false;
      // Relaying needs the mesh (grafted on the heartbeat); a message published before it forms
      // only travels one hop until gossip or the next publish.
      if (nodes_[i]->pubsub->mesh_peers(kTopic).size() != want) return false;
    }
    return true;
  })) << io_.call([&] {
    std::string sizes;
    for (auto& n : nodes_) sizes += std::to_string(n->pubsub->topic_peers(kTopic).size()) + "/" + std::to_string(n->pubsub->router().peers().size()) + "/" + std::to_string(n->host->connected_peers().size()) + " ";
    return sizes;
  });
  publish(*nodes_.front(), "from-first");
  publish(*nodes_.back(), "from-last");
  ASSERT_TRUE(io_.wait_until([&] {
    for (int i = 0; i < kNodes; ++i) {
      const auto& r = nodes_[i]->received;
      if (i != 0 && r.count("from-first") == 0) return false;
      if (i != kNodes - 1 && r.count("from-last") == 0) return false;
    }
    return true;
  })) << io_.call([&] {
    std::string out;
    for (auto& n : nodes_) {
      out += "[";
      for (auto& [t, c] : n->received) out += t + "=" + std::to_string(c) + " ";
      out += "mesh=" + std::to_string(n->pubsub->mesh_peers(kTopic).size()) + " pub=" + std::to_string(n->pubsub->stats().messages_published) + " opened=" + std::to_string(n->pubsub->stats().streams_opened) + "] ";
    }
    return out;
  });
  std::this_thread::sleep_for(300ms);  // duplicates would arrive by now
  io_.call([&] {
    for (int i = 0; i < kNodes; ++i) {
      for (const auto& [text, count] : nodes_[i]->received) {
        EXPECT_EQ(count, 1) << "node " << i << " got " << text << " " << count << " times";
      }
      EXPECT_EQ(nodes_[0]->received.count("from-first"), 0u);  // no echo to the author
    }
    return 0;
  });
  EXPECT_EQ(io_.call([&] { return nodes_[1]->pubsub->peer_protocol(nodes_[0]->host->peer_id()); }),
            "/meshsub/1.2.0");
}

// Writes an oversized length prefix on a pubsub stream to `peer`.
asio::awaitable<util::Status> send_garbage(host::Host& host, crypto::PeerId peer) {
  std::vector<std::string> protocols{"/meshsub/1.1.0"};
  auto stream = co_await host.new_stream(peer, std::move(protocols));
  if (!stream) co_return stream.error();
  const util::Bytes garbage = {0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3};
  co_return co_await stream->write_all(garbage);
}

TEST_F(PubsubServiceTest, PeerSendingGarbageIsDroppedAndOthersKeepWorking) {
  TestNode& a = make_node();
  TestNode& b = make_node();
  connect(a, b);
  ASSERT_TRUE(io_.wait_until([&] { return a.pubsub->topic_peers(kTopic).size() == 1; }));

  auto key = crypto::PrivateKey::generate_ed25519();
  host::HostConfig config;
  config.listen_addrs = {*Multiaddr::from_tcp("127.0.0.1", 0)};
  host::Host rogue(io_.io(), key, config);
  ASSERT_TRUE(io_.call([&] { return rogue.start(); }).ok());
  auto addr = io_.call([&] { return a.host->listen_addrs().front().with_peer_id(a.host->peer_id()); });
  ASSERT_TRUE(io_.run(rogue.connect(addr)).ok());
  auto sent = io_.run(send_garbage(rogue, a.host->peer_id()));
  EXPECT_TRUE(sent.ok());
  ASSERT_TRUE(io_.wait_until([&] { return a.pubsub->stats().bad_rpcs == 1; }));
  ASSERT_TRUE(io_.wait_until([&] { return !rogue.is_connected(a.host->peer_id()); }));

  publish(a, "still-works");
  ASSERT_TRUE(io_.wait_until([&] { return b.received.count("still-works") == 1; }));
  try {
    io_.run(rogue.close(), 10s);
  } catch (...) {
  }
}

}  // namespace
}  // namespace edgevpn::p2p::gossip
