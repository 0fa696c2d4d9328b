// The live ledger over real hosts and GossipSub on 127.0.0.1: convergence along a line, deletes,
// persistence across a restart, isolation of another token, and garbage on the topic.
#include "ledger/live/live_ledger.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "../../p2p/host/io_thread.hpp"
#include "crypto/random.hpp"
#include "p2p/gossip/pubsub_service.hpp"

namespace edgevpn::ledger::live {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;

RotationConfig rotation_for(const std::string& secret) {
  RotationConfig config;
  config.crypto = OtpSecret{secret + "-crypto", 360, 43};
  config.dht = OtpSecret{secret + "-dht", 360, 43};
  config.room = secret + "-room";
  config.rendezvous = secret + "-rendezvous";
  return config;
}

struct TestNode {
  crypto::PrivateKey key = crypto::PrivateKey::generate_ed25519();
  std::unique_ptr<p2p::host::Host> host;
  std::unique_ptr<p2p::gossip::PubsubService> pubsub;
  std::unique_ptr<LiveLedger> ledger;
};

class LiveLedgerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& node : nodes_) stop(*node);
    io_.stop();
    nodes_.clear();
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
  }

  void stop(TestNode& node) {
    if (!node.host) return;
    io_.call([&node] {
      if (node.ledger) node.ledger->stop();
      node.pubsub->stop();
      return 0;
    });
    try {
      io_.run(node.host->close(), 10s);
    } catch (...) {
    }
  }

  LiveLedgerConfig config_for(const std::string& secret) {
    LiveLedgerConfig config;
    config.rotation = rotation_for(secret);
    config.ledger = LedgerOptions::for_mode(OwnershipMode::kEnforce);
    config.heartbeat = false;
    return config;
  }

  TestNode& make_node(LiveLedgerConfig config, std::optional<crypto::PrivateKey> key = {}) {
    auto node = std::make_unique<TestNode>();
    if (key) node->key = *key;
    p2p::host::HostConfig host_config;
    host_config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
    node->host = std::make_unique<p2p::host::Host>(io_.io(), node->key, host_config);
    node->pubsub = std::make_unique<p2p::gossip::PubsubService>(io_.io(), *node->host, node->key);
    auto ledger = LiveLedger::create(io_.io(), *node->pubsub, node->key, std::move(config));
    EXPECT_TRUE(ledger.ok()) << ledger.error().describe();
    node->ledger = std::move(*ledger);
    TestNode* raw = node.get();
    io_.call([raw] {
      EXPECT_TRUE(raw->host->start().ok());
      raw->pubsub->start();
      raw->ledger->start();
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

  std::optional<std::string> get(TestNode& node, const std::string& bucket, const std::string& key) {
    return io_.call([&] { return node.ledger->get(bucket, key); });
  }

  bool all_hold(const std::string& bucket, const std::string& key,
                const std::optional<std::string>& value) {
    return io_.wait_until(
        [&] {
          for (auto& node : nodes_) {
            if (node->ledger->get(bucket, key) != value) return false;
          }
          return true;
        },
        15s);
  }

  IoThread io_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
  std::filesystem::path state_dir_;
};

TEST_F(LiveLedgerTest, WritesAndDeletesReachEveryNodeOfALine) {
  constexpr int kNodes = 4;
  for (int i = 0; i < kNodes; ++i) make_node(config_for("net-a"));
  for (int i = 0; i + 1 < kNodes; ++i) connect(*nodes_[i], *nodes_[i + 1]);

  io_.call([&] { return nodes_.front()->ledger->add("test", "k1", "\"v1\""); });
  ASSERT_TRUE(all_hold("test", "k1", "\"v1\""));
  io_.call([&] { return nodes_.back()->ledger->add("test", "k2", "\"v2\""); });
  ASSERT_TRUE(all_hold("test", "k2", "\"v2\""));
  ASSERT_TRUE(all_hold("test", "k1", "\"v1\""));

  io_.call([&] { return nodes_.front()->ledger->remove("test", "k1"); });
  ASSERT_TRUE(all_hold("test", "k1", std::nullopt));
  EXPECT_EQ(get(*nodes_[2], "test", "k2"), "\"v2\"");
}

// The announce ticker draws its jitter from the ledger's generator after each step: a step that
// ends the ledger (its owner goes away) must leave the loop with nothing of the ledger to touch
// (it kept a raw pointer to it before; ASan caught the read).
TEST_F(LiveLedgerTest, AnnounceLoopSurvivesTheLedgerGoingAwayInAStep) {
  TestNode& a = make_node(config_for("net-a"));
  int steps = 0;
  io_.call([&] {
    a.ledger->announce([&] {
      ++steps;
      a.ledger.reset();  // the owner drops the ledger from inside the loop
      return true;
    });
    return 0;
  });
  ASSERT_TRUE(io_.wait_until([&] { return a.ledger == nullptr; }, 5s));
  std::this_thread::sleep_for(100ms);  // the loop wakes up after its step and ends
  EXPECT_EQ(io_.call([&] { return steps; }), 1);
}

TEST_F(LiveLedgerTest, PersistRetriesUntilTheValueIsHeld) {
  TestNode& a = make_node(config_for("net-a"));
  TestNode& b = make_node(config_for("net-a"));
  connect(a, b);
  io_.call([&] {
    b.ledger->persist("dns", "example.", "{\"A\":\"10.1.0.1\"}", 20s);
    return 0;
  });
  ASSERT_TRUE(all_hold("dns", "example.", "{\"A\":\"10.1.0.1\"}"));
}

// A write made through the API (persist) and deleted on another node soon after stays deleted:
// the persist loop does not write it again at its next tick.
TEST_F(LiveLedgerTest, PersistedKeyDeletedElsewhereStaysDeleted) {
  TestNode& a = make_node(config_for("net-a"));
  TestNode& b = make_node(config_for("net-a"));
  connect(a, b);
  io_.call([&] {
    b.ledger->persist("test", "greeting", "\"hello\"", 20s);
    return 0;
  });
  ASSERT_TRUE(all_hold("test", "greeting", "\"hello\""));
  io_.call([&] { return a.ledger->remove("test", "greeting"); });
  ASSERT_TRUE(all_hold("test", "greeting", std::nullopt));
  // The persist loop's next tick comes within 1.5 x kApiWriteInterval (7.5 s).
  std::this_thread::sleep_for(8s);
  EXPECT_FALSE(get(a, "test", "greeting").has_value());
  EXPECT_FALSE(get(b, "test", "greeting").has_value());
}

TEST_F(LiveLedgerTest, AnotherTokenSeesNothingAndGarbageIsCounted) {
  TestNode& a = make_node(config_for("net-a"));
  TestNode& b = make_node(config_for("net-a"));
  TestNode& other = make_node(config_for("net-b"));
  connect(a, b);
  connect(a, other);
  io_.call([&] { return a.ledger->add("test", "secret", "\"x\""); });
  ASSERT_TRUE(io_.wait_until([&] { return b.ledger->get("test", "secret").has_value(); }));

  // The other network's node never learns the key; garbage on net-a's topic is dropped, counted.
  const std::string topic = io_.call([&] { return a.ledger->current_topic(); });
  io_.call([&] {
    other.pubsub->join(topic, [](const p2p::pubsub::MessageEvent&) {});
    return 0;
  });
  ASSERT_TRUE(io_.wait_until([&] { return a.pubsub->topic_peers(topic).size() == 2; }));
  const std::string garbage = "{\"Message\":\"00ff\",\"SenderID\":\"\",\"Annotations\":null}";
  io_.call([&] {
    return other.pubsub
        ->publish(topic, util::ByteView(reinterpret_cast<const uint8_t*>(garbage.data()),
                                        garbage.size()))
        .ok();
  });
  ASSERT_TRUE(io_.wait_until([&] { return a.ledger->stats().gossip.dropped() >= 1; }));
  EXPECT_FALSE(get(other, "test", "secret").has_value());
  io_.call([&] { return a.ledger->add("test", "after", "\"y\""); });
  ASSERT_TRUE(io_.wait_until([&] { return b.ledger->get("test", "after").has_value(); }));
  EXPECT_FALSE(get(other, "test", "after").has_value());
}

TEST_F(LiveLedgerTest, LedgerStateSurvivesARestart) {
  state_dir_ = std::filesystem::temp_directory_path() /
               ("edgevpn-live-" + std::to_string(crypto::random_bytes(4)[0]) + "-" +
                std::to_string(::getpid()));
  auto config = config_for("net-a");
  config.state_dir = state_dir_.string();
  const auto key = crypto::PrivateKey::generate_ed25519();
  TestNode& first = make_node(config, key);
  io_.call([&] { return first.ledger->add("test", "kept", "\"1\""); });
  const int64_t height = io_.call([&] { return first.ledger->index(); });
  stop(first);
  first.host.reset();

  TestNode& second = make_node(config, key);
  EXPECT_EQ(get(second, "test", "kept"), "\"1\"");
  EXPECT_EQ(io_.call([&] { return second.ledger->index(); }), height);
}

TEST_F(LiveLedgerTest, HeartbeatsAreWrittenAndSeenByPeers) {
  auto config = config_for("net-a");
  config.heartbeat = true;
  TestNode& a = make_node(config);
  TestNode& b = make_node(config_for("net-a"));
  connect(a, b);
  const std::string a_id = io_.call([&] { return a.ledger->self_id(); });
  ASSERT_TRUE(io_.wait_until(
      [&] {
        auto nodes = b.ledger->available_nodes(60s);
        return std::find(nodes.begin(), nodes.end(), a_id) != nodes.end();
      },
      15s));
}

}  // namespace
}  // namespace edgevpn::ledger::live
