// Services and files against a js-libp2p peer playing a Go EdgeVPN node (peer.mjs: rawExchange,
// serveFile, echo-server, edgevpnPublish): Go's raw /edgevpn/service/0.1 and /edgevpn/file/0.1
// streams reach our service-add and file-send exactly as spec 9 says (no header, no status byte,
// no trailer), are reset while the peer is missing from the users bucket, and our
// service-connect and file-receive use a Go node's service and file over the same protocols.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../support/blocking_tcp.hpp"
#include "../unit/p2p/host/io_thread.hpp"
#include "js_peer.hpp"
#include "ledger/live/live_ledger.hpp"
#include "p2p/gossip/pubsub_service.hpp"
#include "p2p/host/host.hpp"
#include "services/file_digest.hpp"
#include "services/file_transfer.hpp"
#include "services/records.hpp"
#include "services/service_connector.hpp"
#include "services/service_exposer.hpp"
#include "services/service_protocol.hpp"
#include "util/encoding.hpp"

namespace edgevpn::interop {
namespace {

using crypto::PeerId;
using testing::IoThread;

constexpr int kInterval = 3600;  // one OTP epoch for the whole run
const Json kCrypto = {{"key", "services-interop-crypto"}, {"interval", kInterval}, {"length", 43}};
constexpr const char* kRoom = "services-interop-room";

using testing::connect_to;
using testing::random_bytes;
using testing::read_all;
using testing::send_all;

// Writes `payload` to 127.0.0.1:port, half-closes, returns everything read until EOF.
std::string exchange(uint16_t port, const std::string& payload) {
  const int fd = connect_to(port);
  if (fd < 0) return "<connect failed>";
  std::thread writer([fd, &payload] {
    send_all(fd, payload);
    ::shutdown(fd, SHUT_WR);
  });
  std::string got = read_all(fd);
  writer.join();
  ::close(fd);
  return got;
}

// A TCP echo server on 127.0.0.1 (the service behind our service-add).
struct EchoServer : testing::TcpServer {
  EchoServer() : TcpServer(testing::echo) {}
};

std::string sha256_hex(const std::string& data) {
  services::Sha256Stream hash;
  hash.update(util::as_bytes(data));
  return hash.hex_digest();
}

// One C++ node (host, pubsub, ledger in `off`, as Go EdgeVPN <= v0.34) and one js peer on the
// same ledger topic, connected.
class ServicesInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = js_peer_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
    dir_ = std::filesystem::temp_directory_path() /
           ("edgevpn-services-interop-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);

    p2p::host::HostConfig host_config;
    host_config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
    host_ = std::make_unique<p2p::host::Host>(io_.io(), key_, host_config);
    pubsub_ = std::make_unique<p2p::gossip::PubsubService>(io_.io(), *host_, key_);
    ledger::live::LiveLedgerConfig config;
    config.rotation.crypto = ledger::OtpSecret{kCrypto["key"].get<std::string>(), kInterval, 43};
    config.rotation.room = kRoom;
    config.rotation.dht = ledger::OtpSecret{"services-interop-dht", kInterval, 43};
    config.rotation.rendezvous = "services-interop-rendezvous";
    config.ledger = ledger::LedgerOptions::for_mode(ledger::OwnershipMode::kOff);
    config.heartbeat = false;
    config.announce_interval = std::chrono::seconds(1);
    auto created = ledger::live::LiveLedger::create(io_.io(), *pubsub_, key_, config);
    ASSERT_TRUE(created.ok()) << created.error().describe();
    ledger_ = std::move(*created);
    io_.call([this] {
      EXPECT_TRUE(host_->start().ok());
      pubsub_->start();
      ledger_->start();
      return 0;
    });
    cpp_id_ = host_->peer_id().to_base58();

    js_ = std::make_unique<JsPeer>();
    ASSERT_TRUE(js_->ready()) << "peer.mjs did not start";
    js_id_ = js_->peer_id();
    auto watched = js_->command("edgevpnWatch", {{"crypto", kCrypto}, {"room", kRoom}});
    ASSERT_TRUE(watched.value("ok", false)) << watched.dump();
    ASSERT_EQ(watched.value("topic", ""), io_.call([this] { return ledger_->current_topic(); }));
    const std::string our_addr = io_.call([this] {
      return host_->listen_addrs().front().with_peer_id(host_->peer_id()).to_string();
    });
    auto dialled = js_->command("dial", {{"addr", our_addr}});
    ASSERT_TRUE(dialled.value("ok", false)) << dialled.dump();
    const auto js_peer = *PeerId::parse(js_id_);
    ASSERT_TRUE(io_.wait_until(
        [&] {
          const auto peers = ledger_->topic_peers();
          return std::find(peers.begin(), peers.end(), js_peer) != peers.end();
        },
        std::chrono::seconds(10)))
        << "the js peer never joined our ledger topic";
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto mesh = js_->command("meshPeers", {{"topic", watched.value("topic", "")}});
      for (const auto& peer : mesh["topicPeers"]) {
        if (peer == cpp_id_) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "the js peer never saw us on the ledger topic";
  }

  void TearDown() override {
    if (ledger_) {
      io_.call([this] {
        exposer_.reset();
        connector_.reset();
        sender_.reset();
        ledger_->stop();
        pubsub_->stop();
        return 0;
      });
      try {
        io_.run(host_->close(), std::chrono::seconds(10));
      } catch (...) {
      }
    }
    js_.reset();
    io_.stop();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Publishes, as a Go node in `off` would (Add = copy the current storage, set, new block),
  // our current data plus `extra` entries, in a block above ours.
  void js_adds(const Json& extra) {
    const auto [data, index] =
        io_.call([this] { return std::make_pair(ledger_->current_data(), ledger_->index()); });
    Json entries = Json::array();
    for (const auto& [bucket, values] : data) {
      for (const auto& [key, value] : values) {
        entries.push_back({{"bucket", bucket}, {"key", key}, {"value", value}});
      }
    }
    for (const auto& entry : extra) entries.push_back(entry);
    auto result = js_->command(
        "edgevpnPublish",
        {{"crypto", kCrypto}, {"room", kRoom}, {"index", index + 5}, {"entries", entries}});
    ASSERT_TRUE(result.value("ok", false)) << result.dump();
  }

  bool holds(std::string_view bucket, const std::string& key) {
    return io_.wait_until([&] { return ledger_->get(bucket, key).has_value(); },
                          std::chrono::seconds(15));
  }

  Json raw_exchange(const std::string& protocol, const std::string& payload) {
    return js_->command("rawExchange",
                        {{"peer", cpp_id_},
                         {"protocol", protocol},
                         {"data", util::base64_encode(util::as_bytes(payload))}},
                        std::chrono::seconds(60));
  }

  crypto::PrivateKey key_ = crypto::PrivateKey::generate_ed25519();
  IoThread io_;
  std::unique_ptr<p2p::host::Host> host_;
  std::unique_ptr<p2p::gossip::PubsubService> pubsub_;
  std::unique_ptr<ledger::live::LiveLedger> ledger_;
  std::unique_ptr<services::ServiceExposer> exposer_;
  std::unique_ptr<services::ServiceConnector> connector_;
  std::unique_ptr<services::FileSender> sender_;
  std::unique_ptr<JsPeer> js_;
  std::string cpp_id_;
  std::string js_id_;
  std::filesystem::path dir_;
};

// A Go node opens our service-add's and file-send's streams with Go's protocols: reset while it is
// not in users; once it is, raw bytes both ways for the service (nothing added: no status byte)
// and exactly the file's bytes for the file (no trailer), each ended by a clean close.
TEST_F(ServicesInteropTest, GoPeerReachesOurServiceAndFileOverRawProtocolsOnlyAsAUser) {
  EchoServer echo;
  const auto file = dir_ / "shared.bin";
  const std::string file_body = random_bytes((2 << 20) + 123, 5);
  std::ofstream(file, std::ios::binary) << file_body;
  io_.call([&] {
    exposer_ = std::make_unique<services::ServiceExposer>(io_.io(), *host_, *ledger_);
    EXPECT_TRUE(exposer_->add("echo", {"127.0.0.1", echo.port()}).ok());
    exposer_->start();
    sender_ = std::make_unique<services::FileSender>(io_.io(), *host_, *ledger_);
    EXPECT_TRUE(sender_->start("shared", file.string()).ok());
    return 0;
  });
  ASSERT_TRUE(holds(services::kServicesBucket, "echo"));
  ASSERT_TRUE(holds(services::kFilesBucket, "shared"));

  // The js peer holds the token (it is on the topic) but is not in users: both streams reset.
  const std::string payload = random_bytes(1 << 20, 9);
  auto refused = raw_exchange(std::string(services::kServiceProtocolGo), payload);
  ASSERT_TRUE(refused.value("ok", false)) << refused.dump();
  EXPECT_TRUE(refused.value("reset", false)) << refused.dump();
  EXPECT_EQ(refused.value("received", -1), 0);
  auto no_file = raw_exchange(std::string(services::kFileProtocolGo), "");
  ASSERT_TRUE(no_file.value("ok", false)) << no_file.dump();
  EXPECT_TRUE(no_file.value("reset", false)) << no_file.dump();
  EXPECT_EQ(no_file.value("received", -1), 0);
  EXPECT_EQ(io_.call([&] { return exposer_->stats().refused_not_user; }), 1u);
  EXPECT_EQ(io_.call([&] { return sender_->stats().refused_not_user; }), 1u);

  // The js peer announces itself in users as Go's service-connect does.
  const std::string user = R"({"PeerID":")" + js_id_ +
                           R"(","Timestamp":"2024-01-01 00:00:00.000000001 +0000 UTC m=+1.5"})";
  js_adds(Json::array({{{"bucket", "users"}, {"key", js_id_}, {"value", user}}}));
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(holds(services::kUsersBucket, js_id_)) << "the js block was not adopted";

  auto echoed = raw_exchange(std::string(services::kServiceProtocolGo), payload);
  ASSERT_TRUE(echoed.value("ok", false)) << echoed.dump();
  EXPECT_FALSE(echoed.value("reset", true)) << echoed.dump();
  EXPECT_EQ(echoed.value("received", -1), static_cast<int64_t>(payload.size()));
  EXPECT_EQ(echoed.value("receivedSha256", ""), sha256_hex(payload));

  auto fetched = raw_exchange(std::string(services::kFileProtocolGo), "");
  ASSERT_TRUE(fetched.value("ok", false)) << fetched.dump();
  EXPECT_FALSE(fetched.value("reset", true)) << fetched.dump();
  EXPECT_EQ(fetched.value("received", -1), static_cast<int64_t>(file_body.size()));
  EXPECT_EQ(fetched.value("receivedSha256", ""), sha256_hex(file_body));

  EXPECT_EQ(io_.call([&] { return exposer_->stats().accepted; }), 1u);
  EXPECT_EQ(io_.call([&] { return sender_->stats().served; }), 1u);
}

// Our service-connect and file-receive against a Go node's service and file: the js peer serves
// Go's raw protocols and announces services/files entries in Go's shape (no Size, no SHA256); our
// node announces itself in users in Go's shape and tunnels / fetches over those protocols.
TEST_F(ServicesInteropTest, OurConnectorAndReceiverUseAGoPeersServiceAndFile) {
  auto served =
      js_->command("echo-server", {{"protocol", std::string(services::kServiceProtocolGo)}});
  ASSERT_TRUE(served.value("ok", false)) << served.dump();
  auto shared = js_->command("serveFile", {{"protocol", std::string(services::kFileProtocolGo)},
                                           {"size", (3 << 20) + 7},
                                           {"seed", "go-file"}});
  ASSERT_TRUE(shared.value("ok", false)) << shared.dump();
  js_adds(Json::array({{{"bucket", "services"},
                        {"key", "go-echo"},
                        {"value", R"({"PeerID":")" + js_id_ + R"(","Name":"go-echo"})"}},
                       {{"bucket", "files"},
                        {"key", "go-file"},
                        {"value", R"({"PeerID":")" + js_id_ + R"(","Name":"go-file"})"}}}));
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(holds(services::kServicesBucket, "go-echo"));

  io_.call([&] {
    connector_ = std::make_unique<services::ServiceConnector>(io_.io(), *host_, *ledger_);
    EXPECT_TRUE(connector_->add("go-echo", {"127.0.0.1", 0}).ok());
    connector_->start();
    return 0;
  });
  // Our users entry reaches the js peer as Go's User {PeerID, Timestamp}.
  auto announced = js_->wait_event(
      [&](const Json& j) {
        if (j.value("event", "") != "edgevpn:block" || !j.value("ok", false)) return false;
        for (const auto& entry : j["entries"]) {
          if (entry.value("bucket", "") == "users" && entry.value("key", "") == cpp_id_) {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(20));
  ASSERT_FALSE(announced.is_null()) << "our users entry never reached the js peer";
  for (const auto& entry : announced["entries"]) {
    if (entry.value("bucket", "") != "users" || entry.value("key", "") != cpp_id_) continue;
    EXPECT_EQ(entry.value("encoding", ""), "legacy");
    const auto user = Json::parse(entry.value("value", "{}"));
    EXPECT_EQ(user.value("PeerID", ""), cpp_id_);
    EXPECT_TRUE(user.contains("Timestamp") && user["Timestamp"].is_string()) << user.dump();
  }

  const uint16_t port = io_.call([&] { return connector_->endpoints().front().port(); });
  const std::string payload = random_bytes((1 << 20) + 77, 21);
  const std::string got = exchange(port, payload);
  EXPECT_EQ(got.size(), payload.size());
  EXPECT_TRUE(got == payload) << "bytes through the Go peer's service differ";
  const auto stats = io_.call([&] { return connector_->stats(); });
  EXPECT_EQ(stats.tunnelled, 1u);
  EXPECT_EQ(stats.go_streams, 1u)
      << "the Go peer's service was not reached over /edgevpn/service/0.1";

  // file-receive from a Go sender: no digest to check, the bytes land whole.
  const auto target = dir_ / "go-file.bin";
  services::FileReceiveOptions options{"go-file", target.string()};
  options.retry_interval = std::chrono::milliseconds(200);
  auto stop = std::make_shared<bool>(false);
  auto status =
      io_.run(services::receive_file(*host_, *ledger_, options, stop), std::chrono::seconds(60));
  ASSERT_TRUE(status.ok()) << status.error().describe();
  std::ifstream in(target, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(file.size(), shared.value("size", 0u));
  EXPECT_EQ(sha256_hex(file), shared.value("sha256", ""));
  EXPECT_FALSE(js_->wait_event(
                      [](const Json& j) {
                        return j.value("event", "") == "served" &&
                               j.value("protocol", "") == services::kFileProtocolGo;
                      },
                      std::chrono::seconds(5))
                   .is_null());
}

}  // namespace
}  // namespace edgevpn::interop
