// Interop with js-libp2p 2.x (peer.mjs), C++ dialling js and js dialling C++: Noise + yamux with
// verified peer IDs, identify, ping, concurrent echo streams, resets, a vanishing peer and a
// dial expecting the wrong peer ID.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio/detached.hpp>

#include "../unit/p2p/host/io_thread.hpp"
#include "crypto/random.hpp"
#include "edgevpn/version.hpp"
#include "js_peer.hpp"
#include "p2p/host/host.hpp"

namespace edgevpn::interop {
namespace {

using p2p::Multiaddr;
using p2p::host::Host;
using p2p::host::HostConfig;
using p2p::host::Stream;
using testing::IoThread;

constexpr const char* kEcho = "/interop/echo/1.0.0";

asio::awaitable<void> echo_handler(Stream stream) {
  std::vector<uint8_t> buffer(64 * 1024);
  for (;;) {
    auto n = co_await stream.read_some(buffer);
    if (!n || *n == 0) break;
    if (!(co_await stream.write_all(util::ByteView(buffer.data(), *n)))) co_return;
  }
  (void)stream.close();
}

// Writes `data` then half-closes; records success. (Free function: asio runs lambda coroutines
// after the lambda object is gone, so captures would dangle.)
asio::awaitable<void> write_and_close(Stream s, util::Bytes data,
                                      std::shared_ptr<std::optional<bool>> written) {
  auto status = co_await s.write_all(data);
  *written = status.ok() && s.close().ok();
}

asio::awaitable<void> write_forever(Stream s, std::shared_ptr<std::optional<util::Status>> out) {
  util::Bytes big(64 << 20, 0x5a);
  *out = co_await s.write_all(big);
}

// One echo exchange from our side: writes `data` (concurrently with reading) and checks it back.
asio::awaitable<bool> echo_once(Host& host, crypto::PeerId peer, util::Bytes data) {
  std::vector<std::string> protocols{kEcho};
  auto stream = co_await host.new_stream(peer, std::move(protocols));
  if (!stream) {
    ADD_FAILURE() << "new_stream: " << stream.error().describe();
    co_return false;
  }
  Stream s = *stream;
  auto written = std::make_shared<std::optional<bool>>();
  asio::co_spawn(co_await asio::this_coro::executor, write_and_close(s, data, written),
                 asio::detached);
  // js echoes chunk by chunk and ends its side once our side ended; read exactly |data| bytes.
  util::Bytes echoed(data.size());
  auto status = co_await s.read_exact(echoed);
  if (!status) {
    ADD_FAILURE() << "echo read: " << status.error().describe();
    co_return false;
  }
  while (!written->has_value()) co_await testing::sleep_for(std::chrono::milliseconds(5));
  co_return **written && echoed == data;
}

class JsInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = js_peer_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
    HostConfig config;
    config.listen_addrs = {*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")};
    host_ = std::make_unique<Host>(io_.io(), crypto::PrivateKey::generate_ed25519(), config);
    auto status = io_.call([this] { return host_->start(); });
    ASSERT_TRUE(status.ok()) << status.error().describe();
    io_.call([this] {
      host_->set_stream_handler(kEcho, echo_handler);
      return 0;
    });
  }

  void TearDown() override {
    if (host_) {
      try {
        io_.run(host_->close(), std::chrono::seconds(10));
      } catch (...) {
      }
    }
    io_.stop();
    host_.reset();
  }

  std::unique_ptr<JsPeer> start_js() {
    auto js = std::make_unique<JsPeer>();
    EXPECT_TRUE(js->ready()) << "peer.mjs did not start";
    if (js->ready()) {
      auto result = js->command("echo-server", {{"protocol", kEcho}});
      EXPECT_TRUE(result.value("ok", false)) << result.dump();
    }
    return js;
  }

  crypto::PeerId js_id(const JsPeer& js) { return *crypto::PeerId::parse(js.peer_id()); }
  std::string our_address() {
    return io_.call([this] {
      return host_->listen_addrs().front().with_peer_id(host_->peer_id()).to_string();
    });
  }

  util::Result<crypto::PeerId> dial_js(const JsPeer& js) {
    return io_.run(host_->connect(*Multiaddr::parse(js.address())));
  }

  // Checks the js peer's view of us (its peer:identify event) and ours of it (peerstore).
  void expect_identified_both_ways(JsPeer& js) {
    const std::string us = io_.call([this] { return host_->peer_id().to_base58(); });
    auto event = js.wait_event([&](const Json& j) {
      return j.value("event", "") == "peer:identify" && j.value("peer", "") == us;
    });
    ASSERT_FALSE(event.is_null()) << "js never identified us";
    EXPECT_EQ(event.value("agentVersion", ""), kAgentVersion);
    EXPECT_EQ(event.value("protocolVersion", ""), "ipfs/0.1.0");
    auto protocols = event.value("protocols", std::vector<std::string>{});
    for (const char* expected : {"/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/ipfs/id/push/1.0.0", kEcho}) {
      EXPECT_NE(std::find(protocols.begin(), protocols.end(), expected), protocols.end()) << expected;
    }
    EXPECT_FALSE(event.value("listenAddrs", std::vector<std::string>{}).empty());

    const auto peer = js_id(js);
    ASSERT_TRUE(io_.wait_until([&] { return host_->is_identified(peer); }));
    io_.call([&] {
      const auto& store = host_->peerstore();
      EXPECT_NE(store.agent_version(peer).find("js-libp2p"), std::string::npos)
          << store.agent_version(peer);
      EXPECT_TRUE(store.supports(peer, "/ipfs/ping/1.0.0"));
      EXPECT_TRUE(store.supports(peer, "/ipfs/id/1.0.0"));
      EXPECT_TRUE(store.supports(peer, kEcho));
      const auto* record = store.find(peer);
      EXPECT_TRUE(record && record->public_key && peer.matches(*record->public_key));
      return 0;
    });
  }

  IoThread io_;
  std::unique_ptr<Host> host_;
};

TEST_F(JsInteropTest, CppDialsJsWithNoiseYamuxAndIdentifiesBothWays) {
  auto js = start_js();
  auto peer = dial_js(*js);
  ASSERT_TRUE(peer.ok()) << peer.error().describe();
  EXPECT_EQ(peer->to_base58(), js->peer_id());
  auto opened = js->wait_event([](const Json& j) { return j.value("event", "") == "connection:open"; });
  ASSERT_FALSE(opened.is_null());
  EXPECT_EQ(opened.value("encryption", ""), "/noise");
  EXPECT_EQ(opened.value("multiplexer", ""), "/yamux/1.0.0");
  EXPECT_EQ(opened.value("direction", ""), "inbound");
  expect_identified_both_ways(*js);
}

TEST_F(JsInteropTest, JsDialsCppWithNoiseYamuxAndIdentifiesBothWays) {
  auto js = start_js();
  auto result = js->command("dial", {{"addr", our_address()}});
  ASSERT_TRUE(result.value("ok", false)) << result.dump();
  EXPECT_EQ(result.value("encryption", ""), "/noise");
  EXPECT_EQ(result.value("multiplexer", ""), "/yamux/1.0.0");
  EXPECT_EQ(result.value("peer", ""), io_.call([this] { return host_->peer_id().to_base58(); }));
  expect_identified_both_ways(*js);
}

TEST_F(JsInteropTest, PingsBothWays) {
  auto js = start_js();
  ASSERT_TRUE(dial_js(*js).ok());
  auto rtt = io_.run(host_->ping(js_id(*js)));
  ASSERT_TRUE(rtt.ok()) << rtt.error().describe();
  const std::string us = io_.call([this] { return host_->peer_id().to_base58(); });
  auto result = js->command("ping", {{"peer", us}});
  EXPECT_TRUE(result.value("ok", false)) << result.dump();
  EXPECT_TRUE(result.contains("rtt"));
}

TEST_F(JsInteropTest, CppEchoes64ConcurrentMebibyteStreamsThroughJs) {
  auto js = start_js();
  ASSERT_TRUE(dial_js(*js).ok());
  const auto peer = js_id(*js);
  constexpr int kStreams = 64;
  auto ok = io_.run([&]() -> asio::awaitable<int> {
    auto executor = co_await asio::this_coro::executor;
    auto done = std::make_shared<int>(0);
    auto good = std::make_shared<int>(0);
    for (int i = 0; i < kStreams; ++i) {
      asio::co_spawn(executor, echo_once(*host_, peer, crypto::random_bytes(1 << 20)),
                     [done, good](std::exception_ptr, bool equal) {
                       ++*done;
                       if (equal) ++*good;
                     });
    }
    while (*done < kStreams) co_await testing::sleep_for(std::chrono::milliseconds(10));
    co_return *good;
  }(), std::chrono::seconds(240));
  EXPECT_EQ(ok, kStreams);
  EXPECT_EQ(io_.call([this] { return host_->connection_count(); }), 1u);
}

TEST_F(JsInteropTest, JsEchoes64ConcurrentMebibyteStreamsThroughCpp) {
  auto js = start_js();
  const std::string us = our_address();
  ASSERT_TRUE(js->command("dial", {{"addr", us}}).value("ok", false));
  std::vector<int> ids;
  for (int i = 0; i < 64; ++i) {
    ids.push_back(js->send("echo", {{"peer", us}, {"protocol", kEcho}, {"size", 1 << 20}}));
  }
  int equal = 0;
  for (int id : ids) {
    auto result = js->wait_result(id, std::chrono::seconds(240));
    if (result.value("ok", false) && result.value("equal", false) &&
        result.value("bytes", 0) == (1 << 20)) {
      ++equal;
    } else {
      ADD_FAILURE() << result.dump();
    }
  }
  EXPECT_EQ(equal, 64);
}

TEST_F(JsInteropTest, ResetStreamFailsLocallyAndKeepsTheConnection) {
  auto js = start_js();
  ASSERT_TRUE(dial_js(*js).ok());
  const auto peer = js_id(*js);
  auto outcome = io_.run([&]() -> asio::awaitable<bool> {
    std::vector<std::string> protocols{kEcho};
    auto stream = co_await host_->new_stream(peer, std::move(protocols));
    if (!stream) co_return false;
    if (!(co_await stream->write_all(util::to_bytes("before reset")))) co_return false;
    uint8_t buffer[64];
    auto n = co_await stream->read_some(buffer);  // the echo arrives
    if (!n || *n == 0) co_return false;
    stream->reset();
    auto after = co_await stream->read_some(buffer);
    auto write_after = co_await stream->write_all(util::to_bytes("x"));
    co_return !after.ok() && !write_after.ok();
  }());
  EXPECT_TRUE(outcome);
  EXPECT_TRUE(io_.run(host_->ping(peer)).ok());
  EXPECT_TRUE(io_.run(echo_once(*host_, peer, util::to_bytes("still fine"))));
}

TEST_F(JsInteropTest, JsPeerVanishingMidStreamFailsItsStreamsOnly) {
  auto doomed = start_js();
  auto survivor = start_js();
  ASSERT_TRUE(dial_js(*doomed).ok());
  ASSERT_TRUE(dial_js(*survivor).ok());
  const auto doomed_id = js_id(*doomed);
  auto stream = io_.run(host_->new_stream(doomed_id, {kEcho}));
  ASSERT_TRUE(stream.ok()) << stream.error().describe();
  // A big write that cannot finish: js echoes, but we never read, so the windows fill up.
  auto write_status = std::make_shared<std::optional<util::Status>>();
  io_.call([&, write_status] {
    asio::co_spawn(io_.io(), write_forever(*stream, write_status), asio::detached);
    return 0;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  doomed->kill_now();
  ASSERT_TRUE(io_.wait_until([&] { return write_status->has_value(); }, std::chrono::seconds(60)));
  EXPECT_FALSE(write_status->value().ok());
  auto read_after = io_.run(
      [](Stream s) -> asio::awaitable<bool> {
        uint8_t buffer[1024];
        for (;;) {  // drain whatever was echoed before the peer died; then an error, not a hang
          auto n = co_await s.read_some(buffer);
          if (!n) co_return true;
          if (*n == 0) co_return false;
        }
      }(*stream),
      std::chrono::seconds(30));
  EXPECT_TRUE(read_after);
  EXPECT_TRUE(io_.wait_until([&] { return !host_->is_connected(doomed_id); }));
  EXPECT_TRUE(io_.run(host_->ping(js_id(*survivor))).ok());
  EXPECT_TRUE(io_.run(echo_once(*host_, js_id(*survivor), crypto::random_bytes(1 << 16))));
}

TEST_F(JsInteropTest, DialWithWrongExpectedPeerIdIsRefused) {
  auto js = start_js();
  const auto other = crypto::PeerId::from_public_key(
      crypto::PrivateKey::generate_ed25519().public_key());
  auto wrong = Multiaddr::parse(js->address())->without_peer_id().with_peer_id(other);
  auto result = io_.run(host_->connect(wrong));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kCrypto);
  EXPECT_FALSE(io_.call([&] { return host_->is_connected(js_id(*js)); }));

  // js-libp2p 2.10 does not hand the dialled /p2p ID to Noise (its upgrader checks only
  // gating), so a js dial to our address with another ID connects; what it must see then is
  // our real, Noise-proven identity.
  const std::string us = io_.call([this] { return host_->peer_id().to_base58(); });
  const std::string ours = io_.call([this] {
    return host_->listen_addrs().front().with_peer_id(crypto::PeerId::from_public_key(
        crypto::PrivateKey::generate_ed25519().public_key())).to_string();
  });
  auto js_result = js->command("dial", {{"addr", ours}});
  if (js_result.value("ok", false)) {
    EXPECT_EQ(js_result.value("peer", ""), us);
  }
  // And a correct dial still works afterwards.
  EXPECT_TRUE(dial_js(*js).ok());
}

}  // namespace
}  // namespace edgevpn::interop
