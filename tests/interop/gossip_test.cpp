// Interop of our GossipSub and ledger with js-libp2p (peer.mjs): a mixed mesh of js and C++
// nodes that delivers every message once, meshsub (not floodsub) on the C++/js links, StrictNoSign
// messages dropped; and Go-format sealed ledger blocks built by an independent js implementation of
// EdgeVPN's sealer (edgevpn_sealer.mjs) adopted by our LiveLedger, and ours decoded by it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../unit/p2p/host/io_thread.hpp"
#include "crypto/keys.hpp"
#include "js_peer.hpp"
#include "ledger/live/live_ledger.hpp"
#include "p2p/gossip/pubsub_service.hpp"
#include "p2p/host/host.hpp"
#include "util/encoding.hpp"

namespace edgevpn::interop {
namespace {

using crypto::PeerId;
using testing::IoThread;

constexpr const char* kTopic = "interop-mixed-mesh";

bool is_meshsub_11_or_newer(const std::string& protocol) {
  return protocol == "/meshsub/1.1.0" || protocol == "/meshsub/1.2.0";
}

std::vector<std::string> strings(const Json& array) {
  std::vector<std::string> out;
  if (array.is_array()) {
    for (const auto& item : array) out.push_back(item.get<std::string>());
  }
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// One C++ node: host, pubsub and (optionally) a live ledger, plus what its topic handler got.
struct CppNode {
  crypto::PrivateKey key = crypto::PrivateKey::generate_ed25519();
  std::unique_ptr<p2p::host::Host> host;
  std::unique_ptr<p2p::gossip::PubsubService> pubsub;
  std::unique_ptr<ledger::live::LiveLedger> ledger;
  std::vector<p2p::pubsub::MessageEvent> received;  // io thread only
  std::string id;
};

class GossipInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = js_peer_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
  }

  void TearDown() override {
    for (auto& node : cpp_) {
      io_.call([&node] {
        if (node->ledger) node->ledger->stop();
        node->pubsub->stop();
        return 0;
      });
      try {
        io_.run(node->host->close(), std::chrono::seconds(10));
      } catch (...) {
      }
    }
    js_.clear();
    io_.stop();
    cpp_.clear();
  }

  CppNode& make_cpp(std::optional<ledger::live::LiveLedgerConfig> ledger_config = {}) {
    auto node = std::make_unique<CppNode>();
    p2p::host::HostConfig host_config;
    host_config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
    node->host = std::make_unique<p2p::host::Host>(io_.io(), node->key, host_config);
    node->pubsub = std::make_unique<p2p::gossip::PubsubService>(io_.io(), *node->host, node->key);
    if (ledger_config) {
      auto ledger =
          ledger::live::LiveLedger::create(io_.io(), *node->pubsub, node->key, *ledger_config);
      EXPECT_TRUE(ledger.ok()) << ledger.error().describe();
      if (ledger) node->ledger = std::move(*ledger);
    }
    CppNode* raw = node.get();
    io_.call([raw] {
      auto status = raw->host->start();
      EXPECT_TRUE(status.ok()) << status.error().describe();
      raw->pubsub->start();
      if (raw->ledger) raw->ledger->start();
      raw->id = raw->host->peer_id().to_base58();
      return 0;
    });
    cpp_.push_back(std::move(node));
    return *raw;
  }

  JsPeer& make_js(std::vector<std::string> args = {}) {
    js_.push_back(std::make_unique<JsPeer>(std::move(args)));
    EXPECT_TRUE(js_.back()->ready()) << "peer.mjs did not start";
    return *js_.back();
  }

  std::string address_of(CppNode& node) {
    return io_.call([&node] {
      return node.host->listen_addrs().front().with_peer_id(node.host->peer_id()).to_string();
    });
  }

  void cpp_dials_js(CppNode& node, JsPeer& js) {
    auto result = io_.run(node.host->connect(*p2p::Multiaddr::parse(js.address())));
    ASSERT_TRUE(result.ok()) << result.error().describe();
  }

  void js_dials_cpp(JsPeer& js, CppNode& node) {
    auto result = js.command("dial", {{"addr", address_of(node)}});
    ASSERT_TRUE(result.value("ok", false)) << result.dump();
  }

  void join(CppNode& node, const std::string& topic) {
    io_.call([&node, topic] {
      CppNode* raw = &node;
      node.pubsub->join(topic, [raw](const p2p::pubsub::MessageEvent& event) {
        raw->received.push_back(event);
      });
      return 0;
    });
  }

  // How many times `node`'s topic handler got `data`.
  size_t cpp_count(CppNode& node, const std::string& data) {
    return io_.call([&node, data] {
      return static_cast<size_t>(std::count_if(
          node.received.begin(), node.received.end(),
          [&](const auto& event) { return util::to_string(event.data) == data; }));
    });
  }

  // How many message events for `data` on kTopic the js peer printed (wait_event cannot count).
  static size_t js_count(JsPeer& js, const std::string& data) {
    const std::string encoded = util::base64_encode(util::as_bytes(data));
    size_t count = 0;
    // wait_event scans every line seen so far; a predicate that never matches counts them all.
    js.wait_event(
        [&](const Json& j) {
          if (j.value("event", "") == "message" && j.value("topic", "") == kTopic &&
              j.value("data", "") == encoded) {
            ++count;
          }
          return false;
        },
        std::chrono::milliseconds(0));
    return count;
  }

  static Json js_mesh(JsPeer& js, const std::string& topic) {
    return js.command("meshPeers", {{"topic", topic}});
  }

  IoThread io_;
  std::vector<std::unique_ptr<CppNode>> cpp_;
  std::vector<std::unique_ptr<JsPeer>> js_;
};

// ---------------------------------------------------------------------------------------------
// 1. Mixed mesh: three js-libp2p gossipsub peers and three C++ nodes in a ring
//    J0 - C0 - J1 - C1 - J2 - C2 - J0 (each js peer between two C++ nodes; links dialled from both
//    sides). Every message crosses up to three hops, so forwarding through both stacks is needed.
TEST_F(GossipInteropTest, MixedMeshDeliversEveryMessageOnceOverMeshsubAndDropsUnsigned) {
  for (int i = 0; i < 3; ++i) make_js();
  for (int i = 0; i < 3; ++i) make_cpp();
  ASSERT_FALSE(HasFailure());
  JsPeer& j0 = *js_[0];
  JsPeer& j1 = *js_[1];
  JsPeer& j2 = *js_[2];
  CppNode& c0 = *cpp_[0];
  CppNode& c1 = *cpp_[1];
  CppNode& c2 = *cpp_[2];
  cpp_dials_js(c0, j0);
  js_dials_cpp(j1, c0);
  cpp_dials_js(c1, j1);
  js_dials_cpp(j2, c1);
  cpp_dials_js(c2, j2);
  js_dials_cpp(j0, c2);
  ASSERT_FALSE(HasFailure());

  for (auto& node : cpp_) join(*node, kTopic);
  for (auto& js : js_) ASSERT_TRUE(js->command("subscribe", {{"topic", kTopic}}).value("ok", false));

  // Neighbours: js peer i sits between C(i-1) and C(i); C++ node i between J(i) and J(i+1).
  auto js_neighbours = [&](size_t i) {
    return std::vector<std::string>{cpp_[(i + 2) % 3]->id, cpp_[i]->id};
  };
  auto cpp_neighbours = [&](size_t i) {
    return std::vector<std::string>{js_[i]->peer_id(), js_[(i + 1) % 3]->peer_id()};
  };

  // The mesh forms on the heartbeats: every C++ node grafts both js neighbours and every js peer
  // lists both C++ neighbours in its gossipsub mesh.
  const bool cpp_meshed = io_.wait_until(
      [&] {
        for (size_t i = 0; i < 3; ++i) {
          std::vector<std::string> mesh;
          for (const auto& peer : cpp_[i]->pubsub->mesh_peers(kTopic)) {
            mesh.push_back(peer.to_base58());
          }
          for (const auto& expected : cpp_neighbours(i)) {
            if (!contains(mesh, expected)) return false;
          }
        }
        return true;
      },
      std::chrono::seconds(15));
  EXPECT_TRUE(cpp_meshed) << "a C++ node did not graft its js neighbours";
  for (size_t i = 0; i < 3; ++i) {
    std::vector<std::string> mesh;
    for (int attempt = 0; attempt < 75; ++attempt) {
      mesh = strings(js_mesh(*js_[i], kTopic)["peers"]);
      if (contains(mesh, js_neighbours(i)[0]) && contains(mesh, js_neighbours(i)[1])) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (const auto& expected : js_neighbours(i)) {
      EXPECT_TRUE(contains(mesh, expected))
          << "js peer " << i << " has no C++ node " << expected << " in its mesh";
    }
  }
  ASSERT_FALSE(HasFailure());

  // meshsub >= 1.1 (not floodsub, not 1.0) on both ends of every C++/js link.
  for (size_t i = 0; i < 3; ++i) {
    for (const auto& js_id : cpp_neighbours(i)) {
      const auto protocol =
          io_.call([&] { return cpp_[i]->pubsub->peer_protocol(*PeerId::parse(js_id)); });
      EXPECT_TRUE(is_meshsub_11_or_newer(protocol))
          << "C++ node " << i << " speaks '" << protocol << "' with js peer " << js_id;
    }
    auto result = js_[i]->command("pubsubProtocols");
    ASSERT_TRUE(result.value("ok", false)) << result.dump();
    for (const auto& cpp_id : js_neighbours(i)) {
      bool seen = false;
      for (const auto& entry : result["peers"]) {
        if (entry.value("peer", "") != cpp_id) continue;
        for (const auto& protocol : strings(entry["protocols"])) {
          seen = true;
          EXPECT_TRUE(is_meshsub_11_or_newer(protocol))
              << "js peer " << i << " has a '" << protocol << "' stream to " << cpp_id;
        }
      }
      EXPECT_TRUE(seen) << "js peer " << i << " has no pubsub stream to " << cpp_id;
    }
  }

  // Each of the six publishes one distinct message.
  std::vector<std::string> payloads;
  for (size_t i = 0; i < 3; ++i) {
    const std::string data = "from js " + std::to_string(i);
    payloads.push_back(data);
    auto result = js_[i]->command(
        "publish", {{"topic", kTopic}, {"data", util::base64_encode(util::as_bytes(data))}});
    ASSERT_TRUE(result.value("ok", false)) << result.dump();
  }
  for (size_t i = 0; i < 3; ++i) {
    const std::string data = "from c++ " + std::to_string(i);
    payloads.push_back(data);
    auto published = io_.call([&] {
      return cpp_[i]->pubsub->publish(kTopic, util::as_bytes(data)).ok();
    });
    ASSERT_TRUE(published);
  }

  // Publisher p (0-2 js, 3-5 C++) must reach the five others.
  auto count_at = [&](size_t receiver, const std::string& data) {
    return receiver < 3 ? js_count(*js_[receiver], data) : cpp_count(*cpp_[receiver - 3], data);
  };
  auto all_delivered = [&] {
    for (size_t p = 0; p < 6; ++p) {
      for (size_t r = 0; r < 6; ++r) {
        if (r != p && count_at(r, payloads[p]) == 0) return false;
      }
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!all_delivered() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Leave time for duplicates (forwarding loops, IHAVE/IWANT) to show up before counting.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  for (size_t p = 0; p < 6; ++p) {
    for (size_t r = 0; r < 6; ++r) {
      EXPECT_EQ(count_at(r, payloads[p]), r == p ? 0u : 1u)
          << "'" << payloads[p] << "' at " << (r < 3 ? "js " : "c++ ") << r % 3;
    }
  }
  // Every C++ delivery names the real author (the signed `from`), not the forwarder.
  for (size_t i = 0; i < 3; ++i) {
    io_.call([&] {
      for (const auto& event : cpp_[i]->received) {
        const std::string text = util::to_string(event.data);
        const auto index = std::find(payloads.begin(), payloads.end(), text) - payloads.begin();
        const std::string author =
            index < 3 ? js_[index]->peer_id() : cpp_[static_cast<size_t>(index) - 3]->id;
        EXPECT_EQ(event.from.to_base58(), author) << text;
      }
      return 0;
    });
  }

  // A js publisher with StrictNoSign, linked only to C0 and C1: its unsigned message reaches
  // them (js reports them as recipients) but is never delivered nor forwarded.
  JsPeer& unsigned_js = make_js({"--sign-policy", "StrictNoSign"});
  ASSERT_TRUE(unsigned_js.ready());
  js_dials_cpp(unsigned_js, c0);
  cpp_dials_js(c1, unsigned_js);
  ASSERT_TRUE(unsigned_js.command("subscribe", {{"topic", kTopic}}).value("ok", false));
  ASSERT_TRUE(io_.wait_until([&] {
    const auto id = *PeerId::parse(unsigned_js.peer_id());
    for (CppNode* node : {&c0, &c1}) {
      const auto peers = node->pubsub->topic_peers(kTopic);
      if (std::find(peers.begin(), peers.end(), id) == peers.end()) return false;
    }
    return true;
  }));
  std::vector<std::string> recipients;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto topic_peers = strings(js_mesh(unsigned_js, kTopic)["topicPeers"]);
    if (contains(topic_peers, c0.id) && contains(topic_peers, c1.id)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const std::string unsigned_data = "unsigned from js";
  auto result = unsigned_js.command(
      "publish", {{"topic", kTopic}, {"data", util::base64_encode(util::as_bytes(unsigned_data))}});
  ASSERT_TRUE(result.value("ok", false)) << result.dump();
  recipients = strings(result["recipients"]);
  EXPECT_TRUE(contains(recipients, c0.id) && contains(recipients, c1.id)) << result.dump();
  // Both receivers refused and counted it.
  EXPECT_TRUE(io_.wait_until([&] {
    return c0.pubsub->stats().invalid_messages >= 1 && c1.pubsub->stats().invalid_messages >= 1;
  }));

  // The others keep working: a signed message published after it still reaches everyone.
  const std::string after = "signed after the unsigned one";
  ASSERT_TRUE(j1.command("publish", {{"topic", kTopic},
                                     {"data", util::base64_encode(util::as_bytes(after))}})
                  .value("ok", false));
  auto after_everywhere = [&] {
    return js_count(j0, after) == 1 && js_count(j2, after) == 1 && cpp_count(c0, after) == 1 &&
           cpp_count(c1, after) == 1 && cpp_count(c2, after) == 1;
  };
  const auto after_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!after_everywhere() && std::chrono::steady_clock::now() < after_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(after_everywhere());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(cpp_count(*cpp_[i], unsigned_data), 0u) << "C++ node " << i << " took it";
    EXPECT_EQ(js_count(*js_[i], unsigned_data), 0u) << "js peer " << i << " got it forwarded";
  }
  // The unsigned publisher was dropped, not disconnected: C0 still has it as a topic peer.
  EXPECT_TRUE(io_.call([&] {
    const auto peers = c0.pubsub->topic_peers(kTopic);
    return std::find(peers.begin(), peers.end(), *PeerId::parse(unsigned_js.peer_id())) !=
           peers.end();
  }));
}

// ---------------------------------------------------------------------------------------------
// 2. Go-format sealed ledger blocks between edgevpn_sealer.mjs (js) and our LiveLedger.

// Fixed token secrets given to both sides. A long interval keeps a test run inside one epoch
// (and our 30 s grace covers a boundary anyway).
constexpr int kInterval = 3600;
const Json kCrypto = {{"key", "interop-crypto-secret"}, {"interval", kInterval}, {"length", 43}};
constexpr const char* kRoom = "interop-room-secret";

ledger::live::LiveLedgerConfig ledger_config(ledger::OwnershipMode mode) {
  ledger::live::LiveLedgerConfig config;
  config.rotation.crypto = ledger::OtpSecret{kCrypto["key"].get<std::string>(), kInterval, 43};
  config.rotation.room = kRoom;
  config.rotation.dht = ledger::OtpSecret{"interop-dht-secret", kInterval, 43};
  config.rotation.rendezvous = "interop-rendezvous";
  config.ledger = ledger::LedgerOptions::for_mode(mode);
  config.heartbeat = false;
  return config;
}

std::string machine_json(const std::string& peer_id, const std::string& address) {
  return R"({"PeerID":")" + peer_id + R"(","Hostname":"js-peer","OS":"linux","Arch":"amd64",)" +
         R"("Address":")" + address + R"(","Version":""})";
}

class LedgerInteropTest : public GossipInteropTest {
 protected:
  // One C++ ledger node and one js peer connected to it, both on the ledger topic. Checks first
  // that the js derivation of topic and key matches ours.
  void start_pair(ledger::OwnershipMode mode) {
    cpp_node_ = &make_cpp(ledger_config(mode));
    js_peer_ = &make_js();
    ASSERT_FALSE(HasFailure());
    auto derived = js_peer_->command("edgevpnWatch", {{"crypto", kCrypto}, {"room", kRoom}});
    ASSERT_TRUE(derived.value("ok", false)) << derived.dump();
    topic_ = derived.value("topic", "");
    EXPECT_EQ(topic_, io_.call([&] { return cpp_node_->ledger->current_topic(); }))
        << "js and C++ derive different ledger topics from the same secrets";
    js_dials_cpp(*js_peer_, *cpp_node_);
    const auto js_id = *PeerId::parse(js_peer_->peer_id());
    ASSERT_TRUE(io_.wait_until(
        [&] {
          const auto peers = cpp_node_->ledger->topic_peers();
          return std::find(peers.begin(), peers.end(), js_id) != peers.end();
        },
        std::chrono::seconds(10)))
        << "the js peer never joined our ledger topic";
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (contains(strings(js_mesh(*js_peer_, topic_)["topicPeers"]), cpp_node_->id)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "the js peer never saw us on the ledger topic";
  }

  Json publish(Json fields) {
    fields["crypto"] = fields.value("crypto", kCrypto);
    fields["room"] = kRoom;
    auto result = js_peer_->command("edgevpnPublish", fields);
    EXPECT_TRUE(result.value("ok", false)) << result.dump();
    EXPECT_TRUE(contains(strings(result["recipients"]), cpp_node_->id)) << result.dump();
    return result;
  }

  std::optional<std::string> get(const std::string& bucket, const std::string& key) {
    return io_.call([&] { return cpp_node_->ledger->get(bucket, key); });
  }

  bool wait_for(const std::string& bucket, const std::string& key, const std::string& value) {
    return io_.wait_until([&] { return cpp_node_->ledger->get(bucket, key) == value; },
                          std::chrono::seconds(10));
  }

  ledger::live::LiveLedgerStats stats() {
    return io_.call([&] { return cpp_node_->ledger->stats(); });
  }

  CppNode* cpp_node_ = nullptr;
  JsPeer* js_peer_ = nullptr;
  std::string topic_;
};

// (a) A legacy block (EdgeVPN <= v0.34 / --ownership off: entries are double-encoded JSON strings)
// sealed by js is adopted whole by a C++ node in ownership `off`.
TEST_F(LedgerInteropTest, AdoptsGoFormatLegacyBlockSealedByJs) {
  start_pair(ledger::OwnershipMode::kOff);
  ASSERT_FALSE(HasFailure());
  const std::string js_id = js_peer_->peer_id();
  const std::string machine = machine_json(js_id, "10.1.0.7");
  auto result = publish({{"index", 7},
                         {"entries",
                          {{{"bucket", "machines"}, {"key", "10.1.0.7"}, {"value", machine}},
                           {{"bucket", "healthcheck"}, {"key", js_id},
                            {"value", "\"2024-01-01T00:00:00Z\""}},
                           {{"bucket", "dns"}, {"key", "example.interop."},
                            {"value", R"({"1":"10.1.0.7","28":"fd00::7"})"}}}}});
  ASSERT_FALSE(HasFailure());
  // The js block is in legacy form on the wire.
  EXPECT_NE(result.value("json", "").find(R"("10.1.0.7":"{\"PeerID\")"), std::string::npos)
      << result.value("json", "");

  ASSERT_TRUE(wait_for("machines", "10.1.0.7", machine)) << "block not adopted";
  EXPECT_EQ(get("healthcheck", js_id), "\"2024-01-01T00:00:00Z\"");
  EXPECT_EQ(get("dns", "example.interop."), R"({"1":"10.1.0.7","28":"fd00::7"})");
  // Whole-block replace: our last block is the js block, index and hash as js computed them.
  const auto block = io_.call([&] { return cpp_node_->ledger->last_block(); });
  EXPECT_EQ(block.index, 7);
  EXPECT_EQ(block.hash, result.value("hash", ""));
  EXPECT_GE(stats().gossip.accepted, 1u);
  EXPECT_EQ(stats().gossip.dropped(), 0u);
}

// (b) A block of v0.35 signed entries (js signs them with its libp2p Ed25519 key over the
// canonical bytes) is merged by a C++ node in `enforce`; a forged and a badly signed entry in the
// same block are rejected, and an unsigned legacy entry of an unowned bucket is taken as in v0.35.
TEST_F(LedgerInteropTest, EnforcingNodeMergesSignedEntriesFromJsAndRejectsForgeries) {
  start_pair(ledger::OwnershipMode::kEnforce);
  ASSERT_FALSE(HasFailure());
  const std::string js_id = js_peer_->peer_id();
  const std::string own_machine = machine_json(js_id, "10.1.0.8");
  const std::string forged_machine = machine_json(cpp_node_->id, "10.1.0.9");  // claims to be us
  auto result = publish(
      {{"index", 3},
       {"entries",
        {{{"bucket", "machines"}, {"key", "10.1.0.8"}, {"value", own_machine}, {"signed", true}},
         {{"bucket", "users"}, {"key", js_id}, {"value", R"({"PeerID":"x","Timestamp":"t"})"},
          {"signed", true}},
         {{"bucket", "machines"}, {"key", "10.1.0.9"}, {"value", forged_machine}, {"signed", true}},
         {{"bucket", "services"}, {"key", "bad-sig"},
          {"value", R"({"PeerID":")" + js_id + R"(","Name":"bad-sig"})"}, {"signed", true},
          {"badSig", true}},
         {{"bucket", "interop-open"}, {"key", "legacy"}, {"value", "\"unsigned\""}}}}});
  ASSERT_FALSE(HasFailure());
  EXPECT_NE(result.value("json", "").find(R"("Owner":")" + js_id + "\""), std::string::npos);

  ASSERT_TRUE(wait_for("machines", "10.1.0.8", own_machine)) << "signed entry not merged";
  EXPECT_EQ(get("users", js_id), R"({"PeerID":"x","Timestamp":"t"})");
  EXPECT_EQ(get("interop-open", "legacy"), "\"unsigned\"");
  EXPECT_EQ(get("machines", "10.1.0.9"), std::nullopt) << "a forged owner was accepted";
  EXPECT_EQ(get("services", "bad-sig"), std::nullopt) << "a bad signature was accepted";
  const auto s = stats();
  EXPECT_GE(s.violations_rejected, 2u);
  EXPECT_EQ(s.violations_accepted, 0u);
  EXPECT_GE(s.merges, 1u);
  // The merged entry keeps the js owner (so js stays its owner for later writes).
  const auto entry = io_.call([&] {
    return cpp_node_->ledger->last_block().storage.at("machines").at("10.1.0.8").owner;
  });
  EXPECT_EQ(entry, js_id);
}

// (c) The js implementation opens what our node publishes: in `off` a legacy entry, in `enforce`
// a signed entry whose signature js verifies with our peer ID's key.
void expect_js_decodes_our_write(LedgerInteropTest& test, JsPeer& js, const std::string& topic,
                                 const std::string& our_id, bool signed_entries) {
  auto event = js.wait_event(
      [&](const Json& j) {
        if (j.value("event", "") != "edgevpn:block" || j.value("topic", "") != topic) return false;
        if (!j.value("ok", false)) return false;
        for (const auto& entry : j["entries"]) {
          if (entry.value("bucket", "") == "interop" && entry.value("key", "") == "from-cpp") {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(15));
  ASSERT_FALSE(event.is_null()) << "js never decoded a block of ours with the key";
  EXPECT_EQ(event.value("from", ""), our_id);
  for (const auto& entry : event["entries"]) {
    if (entry.value("key", "") != "from-cpp") continue;
    EXPECT_EQ(entry.value("value", ""), R"({"hello":"from c++ <&>"})");
    if (signed_entries) {
      EXPECT_EQ(entry.value("encoding", ""), "signed");
      EXPECT_EQ(entry.value("owner", ""), our_id);
      EXPECT_EQ(entry["sigValid"], true) << entry.dump();
      EXPECT_NE(entry.value("version", "0"), "0");
    } else {
      EXPECT_EQ(entry.value("encoding", ""), "legacy");
    }
  }
  // No block of ours failed to open on the js side.
  auto failure = js.wait_event(
      [&](const Json& j) { return j.value("event", "") == "edgevpn:block" && !j.value("ok", true); },
      std::chrono::milliseconds(0));
  EXPECT_TRUE(failure.is_null()) << failure.dump();
  (void)test;
}

TEST_F(LedgerInteropTest, JsDecodesOurLegacyBlocks) {
  start_pair(ledger::OwnershipMode::kOff);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(io_.call(
      [&] { return cpp_node_->ledger->add("interop", "from-cpp", R"({"hello":"from c++ <&>"})"); }));
  expect_js_decodes_our_write(*this, *js_peer_, topic_, cpp_node_->id, false);
}

TEST_F(LedgerInteropTest, JsDecodesAndVerifiesOurSignedBlocks) {
  start_pair(ledger::OwnershipMode::kEnforce);
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(io_.call(
      [&] { return cpp_node_->ledger->add("interop", "from-cpp", R"({"hello":"from c++ <&>"})"); }));
  expect_js_decodes_our_write(*this, *js_peer_, topic_, cpp_node_->id, true);
}

// (d) A block on the right topic sealed with another network's key is dropped and counted as an
// unseal failure; the same block with the right key is then adopted.
TEST_F(LedgerInteropTest, DropsAndCountsBlockSealedWithAWrongKey) {
  start_pair(ledger::OwnershipMode::kOff);
  ASSERT_FALSE(HasFailure());
  Json other_network = kCrypto;
  other_network["key"] = "another-network-crypto-secret";
  const std::string machine = machine_json(js_peer_->peer_id(), "10.1.0.10");
  const Json entries = {{{"bucket", "machines"}, {"key", "10.1.0.10"}, {"value", machine}}};
  const auto before = stats().gossip;
  publish({{"index", 4}, {"topic", topic_}, {"crypto", other_network}, {"entries", entries}});
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(io_.wait_until(
      [&] { return cpp_node_->ledger->stats().gossip.unseal_failed > before.unseal_failed; },
      std::chrono::seconds(10)))
      << "the wrongly sealed block was not counted as an unseal failure";
  EXPECT_EQ(get("machines", "10.1.0.10"), std::nullopt);
  EXPECT_EQ(stats().gossip.accepted, before.accepted);

  publish({{"index", 5}, {"entries", entries}});
  EXPECT_TRUE(wait_for("machines", "10.1.0.10", machine)) << "the node stopped accepting blocks";
}

}  // namespace
}  // namespace edgevpn::interop
