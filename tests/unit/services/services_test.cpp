// Services and files over real hosts, GossipSub and the live ledger on 127.0.0.1: bytes through
// service-add / service-connect, several services per process, the users-bucket access rule on
// every stream protocol, clear statuses for unknown services and refused targets, and files that
// arrive intact or not at all.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "../../support/blocking_tcp.hpp"
#include "../p2p/host/io_thread.hpp"
#include "ledger/live/live_ledger.hpp"
#include "p2p/gossip/pubsub_service.hpp"
#include "p2p/host/host.hpp"
#include "services/file_digest.hpp"
#include "services/file_transfer.hpp"
#include "services/records.hpp"
#include "services/service_connector.hpp"
#include "services/service_exposer.hpp"
#include "services/service_protocol.hpp"

namespace edgevpn::services {
namespace {

using namespace std::chrono_literals;
using edgevpn::testing::IoThread;

using edgevpn::testing::echo;
using edgevpn::testing::free_port;
using edgevpn::testing::random_bytes;
using edgevpn::testing::read_all;
using edgevpn::testing::send_all;
using edgevpn::testing::TcpServer;
int connect_to(uint16_t port) {
  return edgevpn::testing::connect_to(port, 20);
}

// --- nodes ---

struct TestNode {
  crypto::PrivateKey key = crypto::PrivateKey::generate_ed25519();
  std::unique_ptr<p2p::host::Host> host;
  std::unique_ptr<p2p::gossip::PubsubService> pubsub;
  std::unique_ptr<ledger::live::LiveLedger> ledger;
  std::unique_ptr<ServiceExposer> exposer;
  std::unique_ptr<ServiceConnector> connector;
  std::unique_ptr<FileSender> sender;
};

class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgevpn-services-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    for (auto& node : nodes_) {
      io_.call([&node] {
        node->exposer.reset();
        node->connector.reset();
        node->sender.reset();
        node->ledger->stop();
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
    std::filesystem::remove_all(dir_);
  }

  TestNode& make_node() {
    auto node = std::make_unique<TestNode>();
    p2p::host::HostConfig host_config;
    host_config.listen_addrs = {*p2p::Multiaddr::from_tcp("127.0.0.1", 0)};
    node->host = std::make_unique<p2p::host::Host>(io_.io(), node->key, host_config);
    node->pubsub = std::make_unique<p2p::gossip::PubsubService>(io_.io(), *node->host, node->key);
    ledger::live::LiveLedgerConfig config;
    config.rotation.crypto = ledger::OtpSecret{"svc-crypto", 360, 43};
    config.rotation.dht = ledger::OtpSecret{"svc-dht", 360, 43};
    config.rotation.room = "svc-room";
    config.rotation.rendezvous = "svc-rendezvous";
    config.ledger = ledger::LedgerOptions::for_mode(ledger::OwnershipMode::kEnforce);
    config.heartbeat = false;
    config.announce_interval = std::chrono::seconds(1);
    auto created = ledger::live::LiveLedger::create(io_.io(), *node->pubsub, node->key, config);
    EXPECT_TRUE(created.ok());
    node->ledger = std::move(*created);
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
    auto addr = io_.call(
        [&to] { return to.host->listen_addrs().front().with_peer_id(to.host->peer_id()); });
    auto result = io_.run(from.host->connect(addr));
    ASSERT_TRUE(result.ok()) << result.error().describe();
  }

  bool holds(TestNode& node, std::string_view bucket, const std::string& key) {
    return io_.wait_until([&] { return node.ledger->get(bucket, key).has_value(); }, 15s);
  }

  void make_user(TestNode& node) {
    io_.call([&node] {
      const auto& self = node.ledger->self_id();
      return node.ledger->add(kUsersBucket, self, encode_user(self));
    });
  }

  std::string id(TestNode& node) { return node.host->peer_id().to_base58(); }

  // Opens `protocol` from `from` to `to` (our protocol: sends the header for `name`) and returns
  // what comes back until the stream ends, or nullopt when it is reset / fails.
  std::optional<std::string> raw_exchange(TestNode& from, TestNode& to, std::string protocol,
                                          std::string name, std::string payload) {
    auto task = [](p2p::host::Host& host, crypto::PeerId peer, std::string protocol,
                   std::string name,
                   std::string payload) -> asio::awaitable<std::optional<std::string>> {
      std::vector<std::string> protocols{protocol};  // GCC 12: no init list inside co_await
      auto stream = co_await host.new_stream(peer, std::move(protocols));
      if (!stream) co_return std::nullopt;
      if (protocol == kServiceProtocol) {
        if (!co_await stream->write_all(encode_service_header(name))) co_return std::nullopt;
      }
      if (!payload.empty() && !co_await stream->write_all(util::as_bytes(payload))) {
        co_return std::nullopt;
      }
      (void)stream->close();
      auto all = co_await stream->read_to_end(64 << 20);
      if (!all) co_return std::nullopt;
      co_return util::to_string(*all);
    };
    return io_.run(task(*from.host, to.host->peer_id(), protocol, name, payload), 20s);
  }

  IoThread io_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
  std::filesystem::path dir_;
};

TEST_F(ServicesTest, TunnelsSeveralNamedServicesThroughOneProcessEachWay) {
  TcpServer echo_server(echo);
  TcpServer hello_server([](int fd) { send_all(fd, "hello from B"); });
  TestNode& a = make_node();
  TestNode& b = make_node();
  connect(b, a);
  io_.call([&] {
    a.exposer = std::make_unique<ServiceExposer>(io_.io(), *a.host, *a.ledger);
    EXPECT_TRUE(a.exposer->add("echo", {"127.0.0.1", echo_server.port()}).ok());
    EXPECT_TRUE(a.exposer->add("hello", {"127.0.0.1", hello_server.port()}).ok());
    EXPECT_FALSE(a.exposer->add("echo", {"127.0.0.1", 1}).ok());
    a.exposer->start();
    b.connector = std::make_unique<ServiceConnector>(io_.io(), *b.host, *b.ledger);
    EXPECT_TRUE(b.connector->add("echo", {"127.0.0.1", 0}).ok());
    EXPECT_TRUE(b.connector->add("hello", {"127.0.0.1", 0}).ok());
    b.connector->start();
    return 0;
  });
  const auto ports = io_.call([&] { return b.connector->endpoints(); });
  ASSERT_EQ(ports.size(), 2u);

  // Connections made before the ledger has the services wait for them.
  const int echo_fd = connect_to(ports[0].port());
  ASSERT_GE(echo_fd, 0);
  const std::string payload = random_bytes(3 << 20, 7);
  std::thread writer([&] {
    EXPECT_TRUE(send_all(echo_fd, payload));
    ::shutdown(echo_fd, SHUT_WR);  // half-close reaches the echo server, which then ends
  });
  const std::string echoed = read_all(echo_fd);
  writer.join();
  ::close(echo_fd);
  EXPECT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload);

  const int hello_fd = connect_to(ports[1].port());
  ASSERT_GE(hello_fd, 0);
  EXPECT_EQ(read_all(hello_fd), "hello from B");
  ::close(hello_fd);

  EXPECT_TRUE(io_.wait_until([&] { return b.connector->stats().tunnelled == 2; }));
  EXPECT_EQ(io_.call([&] { return b.connector->stats().go_streams; }), 0u);
  EXPECT_EQ(io_.call([&] { return a.exposer->stats().accepted; }), 2u);
}

TEST_F(ServicesTest, StreamsFromTokenHoldersMissingFromUsersAreReset) {
  TcpServer echo_server(echo);
  TestNode& a = make_node();
  TestNode& c = make_node();
  connect(c, a);
  const auto file = dir_ / "shared.bin";
  std::ofstream(file) << "file body";
  io_.call([&] {
    a.exposer = std::make_unique<ServiceExposer>(io_.io(), *a.host, *a.ledger);
    EXPECT_TRUE(a.exposer->add("echo", {"127.0.0.1", echo_server.port()}).ok());
    a.exposer->start();
    a.sender = std::make_unique<FileSender>(io_.io(), *a.host, *a.ledger);
    EXPECT_TRUE(a.sender->start("shared", file.string()).ok());
    return 0;
  });
  ASSERT_TRUE(holds(c, kServicesBucket, "echo"));  // c holds the token: it sees the ledger

  EXPECT_EQ(raw_exchange(c, a, std::string(kServiceProtocol), "echo", "ping"), std::nullopt);
  EXPECT_EQ(raw_exchange(c, a, std::string(kServiceProtocolGo), "", "ping"), std::nullopt);
  EXPECT_EQ(raw_exchange(c, a, std::string(kFileProtocolGo), "", ""), std::nullopt);
  EXPECT_EQ(io_.call([&] { return a.exposer->stats().refused_not_user; }), 2u);
  EXPECT_EQ(io_.call([&] { return a.sender->stats().refused_not_user; }), 1u);
  EXPECT_EQ(io_.call([&] { return a.exposer->stats().accepted; }), 0u);

  // Once c is in users, the same streams go through (Go's raw protocols included).
  make_user(c);
  ASSERT_TRUE(holds(a, kUsersBucket, id(c)));
  EXPECT_EQ(raw_exchange(c, a, std::string(kServiceProtocolGo), "", "ping"), "ping");
  EXPECT_EQ(raw_exchange(c, a, std::string(kServiceProtocol), "echo", "pong"),
            std::string(1, '\0') + "pong");
  EXPECT_EQ(raw_exchange(c, a, std::string(kFileProtocolGo), "", ""), "file body");
}

TEST_F(ServicesTest, UnknownServiceAndRefusedTargetGetTheirStatus) {
  TestNode& a = make_node();
  TestNode& b = make_node();
  connect(b, a);
  const uint16_t dead_port = free_port();
  io_.call([&] {
    a.exposer = std::make_unique<ServiceExposer>(io_.io(), *a.host, *a.ledger);
    EXPECT_TRUE(a.exposer->add("dead", {"127.0.0.1", dead_port}).ok());
    a.exposer->start();
    return 0;
  });
  make_user(b);
  ASSERT_TRUE(holds(a, kUsersBucket, id(b)));
  EXPECT_EQ(raw_exchange(b, a, std::string(kServiceProtocol), "nope", ""),
            std::string(1, static_cast<char>(ServiceStatus::kUnknownService)));
  EXPECT_EQ(raw_exchange(b, a, std::string(kServiceProtocol), "dead", ""),
            std::string(1, static_cast<char>(ServiceStatus::kTargetUnreachable)));
  // Go's protocol has no status: the stream is reset.
  EXPECT_EQ(raw_exchange(b, a, std::string(kServiceProtocolGo), "", "x"), std::nullopt);

  // Through service-connect, the local connection to a refused target is closed at once.
  io_.call([&] {
    b.connector = std::make_unique<ServiceConnector>(io_.io(), *b.host, *b.ledger);
    EXPECT_TRUE(b.connector->add("dead", {"127.0.0.1", 0}).ok());
    b.connector->start();
    return 0;
  });
  ASSERT_TRUE(holds(b, kServicesBucket, "dead"));
  const auto port = io_.call([&] { return b.connector->endpoints().front().port(); });
  const int fd = connect_to(port);
  ASSERT_GE(fd, 0);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(read_all(fd), "");
  ::close(fd);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_TRUE(io_.wait_until([&] { return b.connector->stats().refused == 1; }));

  // A second connector on the same port: "address in use".
  auto status = io_.call([&] {
    ServiceConnector other(io_.io(), *b.host, *b.ledger);
    return other.add("dead", {"127.0.0.1", port});
  });
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("in use"), std::string::npos) << status.error().message;
}

TEST_F(ServicesTest, FileArrivesIntactAndATamperedDigestLeavesNothing) {
  TestNode& a = make_node();
  TestNode& b = make_node();
  connect(b, a);
  const auto source = dir_ / "source.bin";
  const std::string body = random_bytes(5 << 20, 11);
  std::ofstream(source, std::ios::binary) << body;
  io_.call([&] {
    a.sender = std::make_unique<FileSender>(io_.io(), *a.host, *a.ledger);
    return a.sender->start("good", source.string()).ok();
  });
  const auto received_dir = dir_ / "in";
  std::filesystem::create_directories(received_dir);
  auto stop = std::make_shared<bool>(false);
  FileReceiveOptions options{"good", (received_dir / "good.bin").string()};
  options.retry_interval = 200ms;
  auto status = io_.run(receive_file(*b.host, *b.ledger, options, stop), 60s);
  ASSERT_TRUE(status.ok()) << status.error().describe();
  std::ifstream in(received_dir / "good.bin", std::ios::binary);
  const std::string got((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(got == body);
  EXPECT_EQ(std::filesystem::status(received_dir / "good.bin").permissions() &
                std::filesystem::perms::owner_exec,
            std::filesystem::perms::owner_exec);

  // An entry whose digest does not match what the peer sends: error, no file, no leftovers.
  auto digest = digest_file(source.string());
  ASSERT_TRUE(digest.ok());
  io_.call([&] {
    FileRecord record{id(a), "bad", digest->size, std::string(64, '0')};
    return a.ledger->add(kFilesBucket, "bad", encode_file(record));
  });
  ASSERT_TRUE(holds(b, kFilesBucket, "bad"));
  FileReceiveOptions bad{"bad", received_dir.string()};  // a directory: writes <dir>/bad
  bad.retry_interval = 200ms;
  auto refused = io_.run(receive_file(*b.host, *b.ledger, bad, stop), 60s);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, util::Errc::kCrypto) << refused.error().describe();
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(received_dir)) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);  // good.bin only
  EXPECT_EQ(io_.call([&] { return a.sender->stats().served; }), 2u);
}

}  // namespace
}  // namespace edgevpn::services
