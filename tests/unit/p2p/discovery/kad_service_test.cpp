// KadService and RendezvousDiscovery on several hosts over 127.0.0.1 in one io_context: a small
// DHT, lookups past unreachable peers, robustness of the server against bad frames.
#include "p2p/discovery/kad_service.hpp"

#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>

#include "../host/io_thread.hpp"
#include "crypto/random.hpp"
#include "p2p/discovery/rendezvous_discovery.hpp"
#include "util/varint.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;

Multiaddr loopback(uint16_t port = 0) {
  return *Multiaddr::from_tcp("127.0.0.1", port);
}

class KadServiceTest : public ::testing::Test {
 protected:
  void TearDown() override {
    io_.call([this] {
      for (auto& rendezvous : rendezvous_) rendezvous->stop();
      for (auto& kad : kads_) kad->stop();
      return 0;
    });
    for (auto& host : hosts_) {
      try {
        io_.run(host->close(), 10s);
      } catch (...) {
      }
    }
    io_.stop();
    rendezvous_.clear();
    kads_.clear();
    hosts_.clear();
  }

  host::Host& make_host() {
    host::HostConfig config;
    config.listen_addrs = {loopback()};
    hosts_.push_back(std::make_unique<host::Host>(io_.io(), crypto::PrivateKey::generate_ed25519(),
                                                  std::move(config)));
    host::Host& host = *hosts_.back();
    auto status = io_.call([&host] { return host.start(); });
    EXPECT_TRUE(status.ok()) << status.error().describe();
    return host;
  }

  KadService& make_kad(host::Host& host, KadConfig config = {}) {
    if (config.mode == DhtMode::kAuto) config.mode = DhtMode::kServer;
    kads_.push_back(std::make_unique<KadService>(io_.io(), host, std::move(config)));
    KadService& kad = *kads_.back();
    io_.call([&kad] {
      kad.start();
      return 0;
    });
    return kad;
  }

  Multiaddr address_of(host::Host& host) {
    return io_.call([&host] { return host.listen_addrs().front().with_peer_id(host.peer_id()); });
  }

  // n hosts with a DHT each; host i > 0 bootstraps from host i / 2 (a tree, so lookups must walk).
  void make_dht(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      host::Host& host = make_host();
      KadService& kad = make_kad(host);
      if (i == 0) continue;
      auto connected = io_.run(kad.bootstrap({address_of(*hosts_[(i - 1) / 2])}));
      ASSERT_TRUE(connected.ok()) << connected.error().describe();
    }
  }

  IoThread io_;
  std::vector<std::unique_ptr<host::Host>> hosts_;
  std::vector<std::unique_ptr<KadService>> kads_;
  std::vector<std::unique_ptr<RendezvousDiscovery>> rendezvous_;
};

bool contains_peer(const std::vector<kad::PeerInfo>& peers, const crypto::PeerId& id) {
  return std::any_of(peers.begin(), peers.end(),
                     [&](const kad::PeerInfo& p) { return p.id == id; });
}

TEST(DhtModeTest, ParsesTheFlagValues) {
  EXPECT_EQ(*parse_dht_mode("auto"), DhtMode::kAuto);
  EXPECT_EQ(*parse_dht_mode("client"), DhtMode::kClient);
  EXPECT_EQ(*parse_dht_mode("server"), DhtMode::kServer);
  EXPECT_FALSE(parse_dht_mode("dht").ok());
}

TEST(RendezvousKeyTest, IsTheSha256MultihashOfTheString) {
  const auto key = rendezvous_key("rendezvous");
  ASSERT_EQ(key.size(), 34u);
  EXPECT_EQ(key[0], 0x12);
  EXPECT_EQ(key[1], 0x20);
  const auto digest = crypto::sha256(util::as_bytes("rendezvous"));
  EXPECT_TRUE(std::equal(digest.begin(), digest.end(), key.begin() + 2));
}

TEST_F(KadServiceTest, AutoModeIsClientOnLoopbackAndServerWithPublicAnnounceAddress) {
  host::Host& a = make_host();
  host::Host& b = make_host();
  KadConfig auto_config;
  auto_config.mode = DhtMode::kAuto;
  kads_.push_back(std::make_unique<KadService>(io_.io(), a, auto_config));
  auto_config.announce_addrs = {*Multiaddr::parse("/ip4/203.0.114.7/tcp/4001")};
  kads_.push_back(std::make_unique<KadService>(io_.io(), b, auto_config));
  io_.call([&] {
    kads_[0]->start();
    kads_[1]->start();
    EXPECT_FALSE(kads_[0]->server_mode());
    EXPECT_TRUE(kads_[1]->server_mode());
    const auto protocols_a = a.protocols();
    const auto protocols_b = b.protocols();
    EXPECT_EQ(std::count(protocols_a.begin(), protocols_a.end(), "/ipfs/kad/1.0.0"), 0);
    EXPECT_EQ(std::count(protocols_b.begin(), protocols_b.end(), "/ipfs/kad/1.0.0"), 1);
    EXPECT_EQ(kads_[1]->self_addrs(), auto_config.announce_addrs);
    return 0;
  });
}

TEST_F(KadServiceTest, EightHostsFindEachOthersProviderRecords) {
  make_dht(8);
  const auto key_a = rendezvous_key("first rendezvous");
  const auto key_b = rendezvous_key("second rendezvous");
  // A leaf provides, another leaf in the other subtree finds it; then the reverse.
  auto provided = io_.run(kads_[7]->provide(key_a));
  ASSERT_TRUE(provided.ok()) << provided.error().describe();
  EXPECT_GE(*provided, 1u);
  auto found = io_.run(kads_[5]->find_providers(key_a, 10));
  ASSERT_TRUE(found.ok()) << found.error().describe();
  ASSERT_TRUE(contains_peer(*found, hosts_[7]->peer_id()));
  for (const auto& p : *found) {
    if (p.id == hosts_[7]->peer_id()) {
      EXPECT_FALSE(p.addrs.empty());
    }
  }

  ASSERT_TRUE(io_.run(kads_[5]->provide(key_b)).ok());
  auto found_b = io_.run(kads_[7]->find_providers(key_b, 10));
  ASSERT_TRUE(found_b.ok()) << found_b.error().describe();
  EXPECT_TRUE(contains_peer(*found_b, hosts_[5]->peer_id()));
  EXPECT_FALSE(contains_peer(*found_b, hosts_[7]->peer_id()));

  // A key nobody provides: no providers, and the lookup ends.
  auto none = io_.run(kads_[3]->find_providers(rendezvous_key("nobody"), 10));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // Routing tables grew beyond the bootstrap peer through lookups.
  const size_t table_size = io_.call([&] { return kads_[7]->routing_table().size(); });
  EXPECT_GE(table_size, 3u);
}

TEST_F(KadServiceTest, FindPeerWalksToAPeerWeAreNotConnectedTo) {
  make_dht(6);
  const auto target = hosts_[5]->peer_id();
  // Bootstrap self-lookups connected most hosts; make host 4 forget how to reach host 5.
  io_.run(hosts_[4]->disconnect(target));
  io_.call([&] {
    hosts_[4]->peerstore().remove(target);
    return 0;
  });
  ASSERT_FALSE(io_.call([&] { return hosts_[4]->is_connected(target); }));
  auto found = io_.run(kads_[4]->find_peer(target));
  ASSERT_TRUE(found.ok()) << found.error().describe();
  EXPECT_EQ(found->id, target);
  ASSERT_FALSE(found->addrs.empty());
  EXPECT_EQ(found->addrs.front(), hosts_[5]->listen_addrs().front());
  auto closest = io_.run(kads_[4]->find_closest_peers(target.bytes()));
  ASSERT_TRUE(closest.ok());
  EXPECT_EQ(closest->front().id, target);
}

// A fake DHT server: answers every request with closer peers `peers` (and nothing else).
asio::awaitable<void> fake_kad_server(std::shared_ptr<std::vector<kad::PeerInfo>> peers,
                                      host::Stream stream) {
  std::vector<uint8_t> chunk(4096);
  util::Bytes buffer;
  for (;;) {
    auto n = co_await stream.read_some(chunk);
    if (!n || *n == 0) break;
    buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(*n));
    auto frame = kad::read_frame(buffer);
    if (!frame) continue;
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(frame->consumed));
    kad::Message response;
    response.type = frame->message.type;
    response.key = frame->message.key;
    response.closer_peers = *peers;
    if (!(co_await stream.write_all(kad::encode_framed(response)))) break;
  }
  (void)stream.close();
}

TEST_F(KadServiceTest, UnreachablePeersTimeOutPerQueryWithoutStallingTheLookup) {
  // A TCP listener that accepts and never speaks: dialling it hangs in the handshake.
  asio::ip::tcp::acceptor blackhole(
      io_.io(), asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  blackhole.listen();
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> held;
  std::function<void()> accept_more = [&] {
    auto socket = std::make_shared<asio::ip::tcp::socket>(io_.io());
    blackhole.async_accept(*socket, [&, socket](const asio::error_code& ec) {
      if (ec) return;
      held.push_back(socket);
      accept_more();
    });
  };
  io_.call([&] {
    accept_more();
    return 0;
  });
  const uint16_t black_port = blackhole.local_endpoint().port();

  host::Host& searcher = make_host();
  host::Host& fake = make_host();
  host::Host& real = make_host();
  make_kad(real);
  auto peers = std::make_shared<std::vector<kad::PeerInfo>>();
  for (int i = 0; i < 3; ++i) {
    peers->push_back(kad::PeerInfo{
        crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key()),
        {loopback(black_port)},
        {}});
  }
  peers->push_back(
      kad::PeerInfo{real.peer_id(), {io_.call([&] { return real.listen_addrs().front(); })}, {}});
  io_.call([&] {
    fake.set_stream_handler("/ipfs/kad/1.0.0", [peers](host::Stream s) {
      return fake_kad_server(peers, std::move(s));
    });
    return 0;
  });

  KadConfig config;
  config.query_timeout = 700ms;
  KadService& kad = make_kad(searcher, config);
  ASSERT_TRUE(io_.run(searcher.connect(address_of(fake))).ok());
  ASSERT_TRUE(io_.wait_until([&] { return kad.routing_table().contains(fake.peer_id()); }));

  const auto start = std::chrono::steady_clock::now();
  auto closest = io_.run(kad.find_closest_peers(crypto::random_bytes(32)), 20s);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(closest.ok()) << closest.error().describe();
  // The host's own dial/upgrade timeouts are 10-15 s; per-query timeouts end it far sooner.
  EXPECT_LT(took, 4s);
  EXPECT_TRUE(contains_peer(*closest, real.peer_id()));
  EXPECT_TRUE(contains_peer(*closest, fake.peer_id()));
  for (const auto& p : *peers) {
    if (p.id != real.peer_id()) {
      EXPECT_FALSE(contains_peer(*closest, p.id));
    }
  }
  // It did ask the unreachable peers (and waited for their timeouts).
  EXPECT_GE(took, 700ms);
  io_.call([&] {
    blackhole.close();
    for (auto& s : held) s->close();
    return 0;
  });
}

// Writes `data` on a new kad stream and reads until the stream ends or fails.
asio::awaitable<util::Result<util::Bytes>> raw_exchange(host::Host& host, crypto::PeerId peer,
                                                        util::Bytes data) {
  std::vector<std::string> protocols{"/ipfs/kad/1.0.0"};
  auto stream = co_await host.new_stream(peer, std::move(protocols));
  if (!stream) co_return stream.error();
  if (auto w = co_await stream->write_all(data); !w) co_return w.error();
  co_return co_await stream->read_to_end(1 << 20);
}

asio::awaitable<util::Result<kad::Message>> ping_over(host::Host& host, crypto::PeerId peer) {
  kad::Message ping;
  ping.type = kad::MessageType::kPing;
  // The server keeps the stream open for more requests: read one frame, not to the end.
  std::vector<std::string> protocols{"/ipfs/kad/1.0.0"};
  auto stream = co_await host.new_stream(peer, std::move(protocols));
  if (!stream) co_return stream.error();
  if (auto w = co_await stream->write_all(kad::encode_framed(ping)); !w) co_return w.error();
  util::Bytes buffer;
  std::vector<uint8_t> chunk(4096);
  for (;;) {
    auto frame = kad::read_frame(buffer);
    if (frame) {
      (void)stream->close();
      co_return frame->message;
    }
    if (frame.error().code != util::Errc::kTruncated) co_return frame.error();
    auto n = co_await stream->read_some(chunk);
    if (!n) co_return n.error();
    if (*n == 0) co_return util::make_error(util::Errc::kClosed, "closed");
    buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(*n));
  }
}

TEST_F(KadServiceTest, MalformedFramesResetOnlyThatStream) {
  host::Host& server = make_host();
  host::Host& client = make_host();
  KadConfig config;
  config.max_message_size = 64 * 1024;
  KadService& kad = make_kad(server, config);
  ASSERT_TRUE(io_.run(client.connect(address_of(server))).ok());

  // A length prefix over the limit.
  util::Bytes oversized;
  util::put_uvarint(oversized, 1u << 20);
  oversized.resize(oversized.size() + 16, 0);
  auto first = io_.run(raw_exchange(client, server.peer_id(), oversized));
  EXPECT_FALSE(first.ok());
  // A body that is not a protobuf.
  util::Bytes garbage{5, 0xff, 0xff, 0xff, 0xff, 0xff};
  auto second = io_.run(raw_exchange(client, server.peer_id(), garbage));
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(io_.call([&] { return kad.stats().bad_frames; }), 2u);

  // The connection and the service live on: a good request on a new stream is answered.
  EXPECT_TRUE(io_.call([&] { return client.is_connected(server.peer_id()); }));
  auto pong = io_.run(ping_over(client, server.peer_id()));
  ASSERT_TRUE(pong.ok()) << pong.error().describe();
  EXPECT_EQ(pong->type, kad::MessageType::kPing);
  EXPECT_GE(io_.call([&] { return kad.stats().requests_served; }), 1u);
}

TEST_F(KadServiceTest, ServesManyRequestsOnOneStream) {
  host::Host& server = make_host();
  host::Host& client = make_host();
  make_kad(server);
  ASSERT_TRUE(io_.run(client.connect(address_of(server))).ok());
  kad::Message ping;
  ping.type = kad::MessageType::kPing;
  util::Bytes three;
  for (int i = 0; i < 3; ++i) util::append(three, kad::encode_framed(ping));
  auto exchange = [](host::Host& host, crypto::PeerId peer,
                     util::Bytes data) -> asio::awaitable<util::Result<size_t>> {
    std::vector<std::string> protocols{"/ipfs/kad/1.0.0"};
    auto stream = co_await host.new_stream(peer, std::move(protocols));
    if (!stream) co_return stream.error();
    if (auto w = co_await stream->write_all(data); !w) co_return w.error();
    (void)stream->close();  // the server answers all three, then closes too
    auto all = co_await stream->read_to_end(1 << 20);
    if (!all) co_return all.error();
    size_t count = 0;
    util::ByteView rest = *all;
    while (!rest.empty()) {
      auto frame = kad::read_frame(rest);
      if (!frame) co_return frame.error();
      rest = rest.subspan(frame->consumed);
      ++count;
    }
    co_return count;
  };
  auto count = io_.run(exchange(client, server.peer_id(), three));
  ASSERT_TRUE(count.ok()) << count.error().describe();
  EXPECT_EQ(*count, 3u);
}

TEST_F(KadServiceTest, RendezvousConnectsPeersThatOnlyKnowTheBootstrapNode) {
  make_dht(3);  // 0 bootstrap, 1 and 2 know only host 0
  host::Host& a = make_host();
  host::Host& b = make_host();
  // DHT clients (as EdgeVPN nodes on private addresses are): no lookup ever dials them, so only
  // the provider records can introduce them to each other.
  KadConfig client;
  client.mode = DhtMode::kClient;
  KadService& kad_a = make_kad(a, client);
  KadService& kad_b = make_kad(b, client);
  RendezvousConfig config;
  config.bootstrap_peers = {address_of(*hosts_[0])};
  auto ring = [] { return std::vector<std::string>{"previous-otp", "current-otp"}; };
  rendezvous_.push_back(std::make_unique<RendezvousDiscovery>(io_.io(), a, kad_a, ring, config));
  rendezvous_.push_back(std::make_unique<RendezvousDiscovery>(io_.io(), b, kad_b, ring, config));
  auto found_by_b = std::make_shared<std::vector<crypto::PeerId>>();
  io_.call([&] {
    rendezvous_[1]->on_peer_found([found_by_b](const kad::PeerInfo& peer, bool connected) {
      if (connected) found_by_b->push_back(peer.id);
    });
    return 0;
  });
  io_.run(rendezvous_[0]->run_round());
  ASSERT_FALSE(io_.call([&] { return b.is_connected(a.peer_id()); }));
  io_.run(rendezvous_[1]->run_round());
  EXPECT_TRUE(io_.call([&] { return b.is_connected(a.peer_id()); }));
  // Found under both ring keys.
  EXPECT_EQ(io_.call([&] { return *found_by_b; }),
            (std::vector<crypto::PeerId>{a.peer_id(), a.peer_id()}));
  const auto stats = io_.call([&] { return rendezvous_[1]->stats(); });
  EXPECT_EQ(stats.rounds, 1u);
  EXPECT_EQ(stats.peers_connected, 1u);
  // A peer on another rendezvous is never introduced.
  host::Host& c = make_host();
  KadService& kad_c = make_kad(c, client);
  auto other_ring = [] { return std::vector<std::string>{"other-network"}; };
  rendezvous_.push_back(
      std::make_unique<RendezvousDiscovery>(io_.io(), c, kad_c, other_ring, config));
  io_.run(rendezvous_[2]->run_round());
  EXPECT_EQ(io_.call([&] { return rendezvous_[2]->stats().peers_found; }), 0u);
}

TEST_F(KadServiceTest, RendezvousTickerRunsAtOnceAndTriggerRunsAgain) {
  make_dht(2);
  host::Host& a = make_host();
  KadService& kad_a = make_kad(a);
  RendezvousConfig config;
  config.bootstrap_peers = {address_of(*hosts_[0])};
  config.initial_interval = 60s;  // only start() and trigger() can cause rounds here
  config.max_interval = 120s;
  rendezvous_.push_back(std::make_unique<RendezvousDiscovery>(
      io_.io(), a, kad_a, [] { return std::vector<std::string>{"ticker"}; }, config));
  RendezvousDiscovery& discovery = *rendezvous_.back();
  EXPECT_EQ(discovery.backoff(1), 60s);
  EXPECT_EQ(discovery.backoff(2), 120s);
  EXPECT_EQ(discovery.backoff(10), 120s);
  io_.call([&] {
    discovery.start();
    return 0;
  });
  ASSERT_TRUE(io_.wait_until([&] { return discovery.stats().rounds >= 1; }, 10s));
  ASSERT_TRUE(io_.wait_until([&] { return a.is_connected(hosts_[0]->peer_id()); }, 10s));
  // The round provided: the bootstrap node now holds our record.
  ASSERT_TRUE(io_.wait_until(
      [&] {
        return !kads_[0]
                    ->provider_store()
                    .get(rendezvous_key("ticker"), std::chrono::steady_clock::now())
                    .empty();
      },
      10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(io_.call([&] { return discovery.stats().rounds; }), 1u);
  io_.call([&] {
    discovery.trigger();
    return 0;
  });
  EXPECT_TRUE(io_.wait_until([&] { return discovery.stats().rounds >= 2; }, 10s));
}

}  // namespace
}  // namespace edgevpn::p2p::discovery
