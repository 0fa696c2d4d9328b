// VpnService between hosts on 127.0.0.1: fast path and /edgevpn/0.1 delivery, ICMP for unknown
// destinations, access control, malformed input, queues, and a throughput smoke test.
#include "vpn/service/vpn_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <asio/ip/tcp.hpp>
#include <atomic>
#include <thread>

#include "vpn/packet/fast_framing.hpp"
#include "vpn/packet/ip_packet.hpp"
#include "vpn_node_fixture.hpp"

namespace edgevpn::vpn::testing {
namespace {

constexpr const char* kFast = "/edgevpn/fastpath/1.0.0";
constexpr const char* kLegacy = "/edgevpn/0.1";

// An IPv4/UDP packet of `size` bytes whose payload starts with `sequence`.
util::Bytes numbered(const char* source, const char* destination, size_t size, uint32_t sequence) {
  util::Bytes packet = ipv4_packet(source, destination, size - 20);
  packet[28] = static_cast<uint8_t>(sequence >> 24);
  packet[29] = static_cast<uint8_t>(sequence >> 16);
  packet[30] = static_cast<uint8_t>(sequence >> 8);
  packet[31] = static_cast<uint8_t>(sequence);
  return packet;
}

uint32_t sequence_of(const util::Bytes& packet) {
  return util::get_u32_be(packet.data() + 28);
}

// Opens a raw stream from `host` to `peer` and writes `chunks` one by one, then half-closes
// and reads until the stream ends: ok when it ended cleanly, an error after a reset.
asio::awaitable<util::Status> raw_stream(p2p::host::Host& host, crypto::PeerId peer,
                                         std::string protocol, std::vector<util::Bytes> chunks) {
  std::vector<std::string> protocols{std::move(protocol)};
  auto stream = co_await host.new_stream(peer, std::move(protocols));
  if (!stream.ok()) co_return stream.error();
  for (const auto& chunk : chunks) {
    auto written = co_await stream->write_all(chunk);
    if (!written.ok()) co_return written;
  }
  if (auto closed = stream->close(); !closed.ok()) co_return closed;
  auto rest = co_await stream->read_to_end(1024);
  if (!rest.ok()) co_return rest.error();
  co_return util::Status{};
}

util::Bytes frame(util::ByteView packet) {
  FastFrameEncoder encoder;
  EXPECT_TRUE(encoder.append(packet).ok());
  return util::Bytes(encoder.buffer().begin(), encoder.buffer().end());
}

class VpnServiceTest : public VpnNodeTest {};

TEST_F(VpnServiceTest, FastPathCarriesPacketsBothWaysInOrder) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  mesh();

  for (uint32_t i = 0; i < 200; ++i) inject(a, numbered("10.1.0.1", "10.1.0.2", 100 + i * 7, i));
  for (uint32_t i = 0; i < 200; ++i) {
    auto packet = receive(b);
    ASSERT_TRUE(packet) << "packet " << i << " missing";
    EXPECT_EQ(*packet, numbered("10.1.0.1", "10.1.0.2", 100 + i * 7, i));
  }
  for (uint32_t i = 0; i < 50; ++i) inject(b, numbered("10.1.0.2", "10.1.0.1", 1200, i));
  for (uint32_t i = 0; i < 50; ++i) {
    auto packet = receive(a);
    ASSERT_TRUE(packet);
    EXPECT_EQ(sequence_of(*packet), i);
  }
  const auto sa = stats(a);
  const auto sb = stats(b);
  EXPECT_EQ(sa.fastpath_peers, 1u);
  EXPECT_EQ(sa.legacy_peers, 0u);
  EXPECT_EQ(sa.packets_sent, 200u);
  EXPECT_EQ(sa.packets_received, 50u);
  EXPECT_EQ(sb.packets_received, 200u);
  EXPECT_EQ(sb.fastpath_streams_in, 1u);  // one long-lived stream, not one per packet
  EXPECT_EQ(sb.legacy_streams_in, 0u);
  EXPECT_EQ(sa.streams_opened, 1u);
}

TEST_F(VpnServiceTest, CarriesIpv6PacketsAndLargePackets) {
  VpnNode& a = make_node({network("10.1.0.1/24"), network("fd00::1/64")});
  VpnNode& b = make_node({network("10.1.0.2/24"), network("fd00::2/64")});
  mesh();
  const auto v6 = ipv6_packet("fd00::1", "fd00::2", 1000);
  const auto big = ipv4_packet("10.1.0.1", "10.1.0.2", 60000);
  inject(a, v6);
  inject(a, big);
  EXPECT_EQ(receive(b), v6);
  EXPECT_EQ(receive(b), big);
}

TEST_F(VpnServiceTest, GoPeerGetsOnePacketPerLegacyStream) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnConfig legacy_only;
  legacy_only.enable_fastpath = false;  // registers /edgevpn/0.1 only, as Go EdgeVPN
  VpnNode& b = make_node({network("10.1.0.2/24")}, legacy_only);
  mesh();

  std::vector<util::Bytes> sent;
  for (uint32_t i = 0; i < 60; ++i) {
    sent.push_back(numbered("10.1.0.1", "10.1.0.2", 300 + i, i));
    inject(a, sent.back());
  }
  std::vector<util::Bytes> got;
  for (size_t i = 0; i < sent.size(); ++i) {
    auto packet = receive(b);
    ASSERT_TRUE(packet) << "packet " << i << " missing";
    got.push_back(*packet);
  }
  // Streams run in parallel, as in Go: order is not kept, content is.
  std::sort(got.begin(), got.end());
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(got, sent);

  for (uint32_t i = 0; i < 20; ++i) inject(b, numbered("10.1.0.2", "10.1.0.1", 500, i));
  for (uint32_t i = 0; i < 20; ++i) ASSERT_TRUE(receive(a)) << "packet " << i << " missing";

  EXPECT_TRUE(io_.wait_until([&] { return b.service->stats().legacy_streams_in == 60; }));
  const auto sa = stats(a);
  const auto sb = stats(b);
  EXPECT_EQ(sa.legacy_peers, 1u);
  EXPECT_EQ(sa.fastpath_peers, 0u);
  EXPECT_EQ(sa.packets_sent, 60u);
  EXPECT_EQ(sb.fastpath_streams_in, 0u);
  EXPECT_EQ(sa.legacy_streams_in, 20u);
  EXPECT_EQ(sb.legacy_peers, 1u);
}

TEST_F(VpnServiceTest, LegacyStreamIsSplitByIpLengthsWhateverTheReadSizes) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  mesh();
  const auto p1 = numbered("10.1.0.2", "10.1.0.1", 700, 1);
  const auto p2 = ipv6_packet("fd00::2", "fd00::1", 10);  // not for us: dropped
  const auto p3 = numbered("10.1.0.2", "10.1.0.1", 61, 3);
  util::Bytes all = p1;
  util::append(all, p2);
  util::append(all, p3);
  // Odd cuts: inside the first header, across packet boundaries, one byte at the end.
  std::vector<util::Bytes> chunks{
      util::Bytes(all.begin(), all.begin() + 3), util::Bytes(all.begin() + 3, all.begin() + 701),
      util::Bytes(all.begin() + 701, all.end() - 1), util::Bytes(all.end() - 1, all.end())};
  auto status = io_.run(raw_stream(*b.host, a.host->peer_id(), kLegacy, chunks));
  EXPECT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(receive(a), p1);
  EXPECT_EQ(receive(a), p3);
  EXPECT_FALSE(receive(a, 200ms));
  const auto sa = stats(a);
  EXPECT_EQ(sa.dropped_not_for_us, 1u);
  EXPECT_EQ(sa.packets_received, 2u);
}

TEST_F(VpnServiceTest, UnknownDestinationIsAnsweredWithIcmpUnreachable) {
  VpnNode& a = make_node({network("10.1.0.1/24"), network("fd00::1/64")});
  make_node({network("10.1.0.2/24")});
  mesh();

  inject(a, ipv4_packet("10.1.0.1", "10.1.0.99", 40));
  auto reply = receive(a);
  ASSERT_TRUE(reply);
  auto header = parse_ip_header(*reply);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->protocol, kProtocolIcmp);
  EXPECT_EQ(header->source, ip("10.1.0.99"));
  EXPECT_EQ(header->destination, ip("10.1.0.1"));
  EXPECT_EQ((*reply)[header->header_length], 3);      // destination unreachable
  EXPECT_EQ((*reply)[header->header_length + 1], 1);  // host unreachable

  inject(a, ipv6_packet("fd00::1", "fd00::99", 40));
  reply = receive(a);
  ASSERT_TRUE(reply);
  header = parse_ip_header(*reply);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->protocol, kProtocolIcmpv6);
  EXPECT_EQ(header->destination, ip("fd00::1"));
  EXPECT_EQ((*reply)[40], 1);  // destination unreachable
  EXPECT_EQ((*reply)[41], 3);  // address unreachable

  const auto sa = stats(a);
  EXPECT_EQ(sa.dropped_no_route, 2u);
  EXPECT_EQ(sa.icmp_unreachable_sent, 2u);
  EXPECT_EQ(sa.packets_sent, 0u);
}

TEST_F(VpnServiceTest, PacketsToOurOwnAddressAreNotSentOut) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  mesh();
  inject(a, ipv4_packet("10.1.0.1", "10.1.0.1", 40));
  inject(a, ipv4_packet("10.1.0.1", "10.1.0.2", 41));  // a marker behind it
  auto packet = receive(b);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->size(), 61u);
  EXPECT_FALSE(receive(a, 100ms));  // no ICMP either
  EXPECT_EQ(stats(a).dropped_local, 1u);
}

TEST_F(VpnServiceTest, PeerOutsideTheMachinesTableIsReset) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  make_node({network("10.1.0.2/24")});
  mesh();
  auto& stranger = make_host();
  connect(stranger, *a.host);
  const auto packet = ipv4_packet("10.1.0.3", "10.1.0.1", 40);
  for (const char* protocol : {kFast, kLegacy}) {
    // Refused on arrival, before any data: a silent stream is reset too.
    auto status = io_.run(raw_stream(stranger, a.host->peer_id(), protocol, {}));
    EXPECT_FALSE(status.ok()) << protocol << " stream was not reset";
    const auto data = std::string(protocol) == kFast ? frame(packet) : packet;
    status = io_.run(raw_stream(stranger, a.host->peer_id(), protocol, {data}));
    EXPECT_FALSE(status.ok()) << protocol << " stream was not reset";
  }
  EXPECT_FALSE(receive(a, 200ms));
  EXPECT_EQ(stats(a).rejected_streams, 4u);
  EXPECT_EQ(stats(a).packets_received, 0u);
}

TEST_F(VpnServiceTest, PeerRemovedFromTheTableIsCutOff) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  mesh();
  inject(b, ipv4_packet("10.1.0.2", "10.1.0.1", 40));
  ASSERT_TRUE(receive(a));
  // A forgets B: B's open fast-path stream is reset, and B's next packets do not get through.
  io_.call([&a] {
    a.service->set_routes({});
    return 0;
  });
  EXPECT_TRUE(io_.wait_until([&] { return a.service->stats().rejected_streams >= 1; }));
  for (int i = 0; i < 5; ++i) inject(b, ipv4_packet("10.1.0.2", "10.1.0.1", 40));
  EXPECT_FALSE(receive(a, 300ms));
}

TEST_F(VpnServiceTest, RouterTakesUnknownDestinationsAndAcceptsThemForItsNetworks) {
  VpnConfig via_router;
  via_router.router = ip("10.1.0.2");  // --router
  VpnNode& a = make_node({network("10.1.0.1/24")}, via_router);
  VpnConfig gateway;
  gateway.routed_networks = {network("0.0.0.0/0")};
  VpnNode& b = make_node({network("10.1.0.2/24")}, gateway);
  VpnNode& c = make_node({network("10.1.0.3/24")});
  mesh();
  const auto outside = ipv4_packet("10.1.0.1", "192.0.2.7", 40);
  inject(a, outside);
  EXPECT_EQ(receive(b), outside);
  // A node without routed networks drops what is not addressed to it.
  inject(b, ipv4_packet("10.1.0.2", "10.1.0.3", 40));
  ASSERT_TRUE(receive(c));
  // Without --router, B has no route outside the table.
  inject(b, ipv4_packet("10.1.0.2", "192.0.2.9", 40));
  EXPECT_FALSE(receive(c, 100ms));
  EXPECT_EQ(stats(b).dropped_no_route, 1u);
  EXPECT_EQ(stats(a).dropped_no_route, 0u);
}

TEST_F(VpnServiceTest, StaticPeerTableIsUsedExclusively) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  VpnNode& c = make_node({network("10.1.0.3/24")});
  mesh();  // machines know everyone
  io_.call([&] {
    a.service->set_static_table({{ip("10.1.0.2"), b.host->peer_id()}});
    return 0;
  });
  inject(a, ipv4_packet("10.1.0.1", "10.1.0.2", 40));
  EXPECT_TRUE(receive(b));
  inject(a, ipv4_packet("10.1.0.1", "10.1.0.3", 40));  // in machines, not in the table
  EXPECT_FALSE(receive(c, 200ms));
  EXPECT_EQ(stats(a).dropped_no_route, 1u);
  auto icmp = receive(a);
  ASSERT_TRUE(icmp);
  EXPECT_EQ(parse_ip_header(*icmp)->protocol, kProtocolIcmp);
  // C is not in A's table: its stream is refused.
  inject(c, ipv4_packet("10.1.0.3", "10.1.0.1", 40));
  EXPECT_TRUE(io_.wait_until([&] { return a.service->stats().rejected_streams == 1; }));
  EXPECT_FALSE(receive(a, 100ms));
}

TEST_F(VpnServiceTest, GarbageOnTheFastPathIsCountedAndTheServiceKeepsWorking) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  mesh();
  // A frame that is not an IP packet, then a zero-length frame.
  const std::vector<util::Bytes> garbage{{0x00, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00}};
  auto status = io_.run(raw_stream(*b.host, a.host->peer_id(), kFast, garbage));
  EXPECT_FALSE(status.ok()) << "the stream was not reset";
  EXPECT_EQ(stats(a).malformed, 1u);

  // A valid frame to an address that is not A's is dropped, the next one delivered.
  const auto stray = frame(ipv4_packet("10.1.0.2", "10.1.0.77", 40));
  const auto good = ipv4_packet("10.1.0.2", "10.1.0.1", 41);
  status = io_.run(raw_stream(*b.host, a.host->peer_id(), kFast, {stray, frame(good)}));
  EXPECT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(receive(a), good);
  EXPECT_EQ(stats(a).dropped_not_for_us, 1u);

  // And the services still talk.
  inject(b, numbered("10.1.0.2", "10.1.0.1", 500, 7));
  auto packet = receive(a);
  ASSERT_TRUE(packet);
  EXPECT_EQ(sequence_of(*packet), 7u);
}

TEST_F(VpnServiceTest, ReopensTheFastPathAfterThePeerRestarts) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  mesh();
  inject(a, numbered("10.1.0.1", "10.1.0.2", 100, 1));
  ASSERT_TRUE(receive(b));
  // B's service goes away (its streams are reset) and comes back on the same host.
  io_.call([&b] {
    b.service.reset();
    return 0;
  });
  start_service(b);
  io_.call([&a, &b] {
    b.service->set_routes(
        {{ip("10.1.0.1"), a.host->peer_id()}, {ip("10.1.0.2"), b.host->peer_id()}});
    return 0;
  });
  EXPECT_TRUE(io_.wait_until([&] { return a.service->stats().fastpath_peers == 0; }));
  inject(a, numbered("10.1.0.1", "10.1.0.2", 100, 2));
  auto packet = receive(b);
  ASSERT_TRUE(packet);
  EXPECT_EQ(sequence_of(*packet), 2u);
  EXPECT_EQ(stats(a).streams_opened, 2u);
}

TEST_F(VpnServiceTest, UnreachablePeerDropsItsPacketsAndBacksOff) {
  VpnConfig config;
  config.reopen_backoff = 60s;
  VpnNode& a = make_node({network("10.1.0.1/24")}, config);
  const auto ghost =
      crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key());
  io_.call([&a, ghost] {
    a.service->set_routes({{ip("10.1.0.5"), ghost}});
    return 0;
  });
  inject(a, ipv4_packet("10.1.0.1", "10.1.0.5", 40));
  EXPECT_TRUE(io_.wait_until([&] { return a.service->stats().dropped_stream_error == 1; }));
  for (int i = 0; i < 3; ++i) inject(a, ipv4_packet("10.1.0.1", "10.1.0.5", 40));
  EXPECT_TRUE(io_.wait_until([&] { return a.service->stats().dropped_stream_error == 4; }));
  EXPECT_EQ(stats(a).streams_opened, 0u);
  EXPECT_FALSE(receive(a, 100ms));  // a route exists: no ICMP
}

TEST_F(VpnServiceTest, FullPeerQueueDropsWithoutBlockingOtherPeers) {
  VpnConfig config;
  config.peer_queue_packets = 4;
  VpnNode& a = make_node({network("10.1.0.1/24")}, config);
  VpnNode& b = make_node({network("10.1.0.2/24")});
  // A peer whose address accepts TCP but never speaks: opening its stream hangs.
  asio::ip::tcp::acceptor silent(io_.io(), {asio::ip::make_address("127.0.0.1"), 0});
  const auto ghost =
      crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key());
  io_.call([&] {
    a.host->peerstore().add_addrs(
        ghost, {*p2p::Multiaddr::from_tcp("127.0.0.1", silent.local_endpoint().port())});
    return 0;
  });
  mesh();
  io_.call([&a, &b, ghost] {
    a.service->set_routes({{ip("10.1.0.2"), b.host->peer_id()}, {ip("10.1.0.9"), ghost}});
    return 0;
  });
  for (int i = 0; i < 10; ++i) inject(a, ipv4_packet("10.1.0.1", "10.1.0.9", 40));
  inject(a, ipv4_packet("10.1.0.1", "10.1.0.2", 40));
  EXPECT_TRUE(receive(b));  // the other peer is served meanwhile
  EXPECT_EQ(stats(a).dropped_queue_full, 6u);
}

TEST_F(VpnServiceTest, ThroughputSmoke) {
  VpnNode& a = make_node({network("10.1.0.1/24")});
  VpnNode& b = make_node({network("10.1.0.2/24")});
  mesh();
  constexpr uint32_t kPackets = 20000;
  constexpr uint32_t kWindow = 2048;  // keep below A's queue bound: the test must not drop
  std::atomic<uint32_t> received{0};
  std::atomic<bool> in_order{true};
  std::thread reader([&] {
    for (uint32_t i = 0; i < kPackets; ++i) {
      auto packet = receive(b);
      if (!packet || packet->size() != 1200 || sequence_of(*packet) != i) {
        in_order = false;
        return;
      }
      received = i + 1;
    }
  });
  const auto start = std::chrono::steady_clock::now();
  util::Bytes packet = numbered("10.1.0.1", "10.1.0.2", 1200, 0);
  for (uint32_t i = 0; i < kPackets && in_order; ++i) {
    while (i - received.load() >= kWindow && in_order) std::this_thread::yield();
    packet[28] = static_cast<uint8_t>(i >> 24);
    packet[29] = static_cast<uint8_t>(i >> 16);
    packet[30] = static_cast<uint8_t>(i >> 8);
    packet[31] = static_cast<uint8_t>(i);
    inject(a, packet);
  }
  reader.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(in_order);
  EXPECT_EQ(received.load(), kPackets);
  const auto sa = stats(a);
  EXPECT_EQ(sa.packets_sent, kPackets);
  EXPECT_EQ(sa.dropped_queue_full, 0u);
  std::printf("[ throughput ] %u packets of 1200 B in %.3f s: %.0f packets/s, %.1f Mbit/s\n",
              kPackets, seconds, kPackets / seconds, kPackets * 1200 * 8 / seconds / 1e6);
}

}  // namespace
}  // namespace edgevpn::vpn::testing
