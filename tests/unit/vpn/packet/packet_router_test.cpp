// The send path's router as values: packets grouped per peer in order, local and malformed drops,
// ICMP errors for the unroutable (rate-limited), the --router rule, the receive-path check.
#include "vpn/packet/packet_router.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "packet_builders.hpp"

namespace edgevpn::vpn {
namespace {

using testing::ip;
using testing::ipv4_packet;
using testing::ipv6_packet;

constexpr const char* kSelf = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
constexpr const char* kPeerB = "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk";
constexpr const char* kPeerC = "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY";

crypto::PeerId peer(const char* text) {
  return crypto::PeerId::parse(text).value();
}

IpNetwork cidr(const char* text) {
  return IpNetwork::parse(text).value();
}

util::SteadyTime t0() {
  return util::SteadyTime{} + std::chrono::hours(1);
}

struct Fixture {
  Fixture() : router(config()) {
    routes.rebuild_machines(std::vector<RouteEntry>{
        make_route_entry("10.1.0.1", kSelf).value(),
        make_route_entry("10.1.0.2", kPeerB).value(),
        make_route_entry("10.1.0.3", kPeerC).value(),
        make_route_entry("10.1.0.4", kPeerB).value(),  // a second address of B
        make_route_entry("fd00::2", kPeerB).value(),
    });
    routes.set_own_address(ip("10.1.0.1"));
  }

  static PacketRouterConfig config() {
    PacketRouterConfig c;
    c.self = peer(kSelf);
    c.addresses = {cidr("10.1.0.1/24"), cidr("fd00::1/64")};
    c.icmp_per_second = 1;
    c.icmp_burst = 2;
    return c;
  }

  const RoutedBatch& route(const std::vector<util::Bytes>& packets, util::SteadyTime now = t0()) {
    views.assign(packets.begin(), packets.end());
    router.route(views, routes, now, out);
    return out;
  }

  RouteIndex routes;
  PacketRouter router;
  RoutedBatch out;
  std::vector<util::ByteView> views;
};

const PeerPackets* group_of(const RoutedBatch& out, const char* peer_text) {
  for (const auto& group : out.peers()) {
    if (*group.peer == peer(peer_text)) return &group;
  }
  return nullptr;
}

TEST(PacketRouter, GroupsPacketsPerPeerInReadOrder) {
  Fixture f;
  // Payload's first byte numbers the packets; B is reached through two addresses and IPv6.
  const std::vector<util::Bytes> packets = {
      ipv4_packet("10.1.0.1", "10.1.0.2", 10, kProtocolUdp, 1),
      ipv4_packet("10.1.0.1", "10.1.0.3", 10, kProtocolUdp, 2),
      ipv4_packet("10.1.0.1", "10.1.0.2", 10, kProtocolUdp, 3),
      ipv4_packet("10.1.0.1", "10.1.0.4", 10, kProtocolUdp, 4),
      ipv6_packet("fd00::1", "fd00::2", 10, kProtocolUdp, 5),
      ipv4_packet("10.1.0.1", "10.1.0.3", 10, kProtocolUdp, 6),
  };
  const auto& out = f.route(packets);
  ASSERT_EQ(out.peers().size(), 2u);
  EXPECT_EQ(out.counts().routed, 6u);
  const auto* b = group_of(out, kPeerB);
  const auto* c = group_of(out, kPeerC);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(b->packets.size(), 4u);
  ASSERT_EQ(c->packets.size(), 2u);
  const auto first_payload = [](util::ByteView packet) {
    return packet[packet[0] >> 4 == 4 ? 20 : 40];
  };
  EXPECT_EQ(first_payload(b->packets[0]), 1);
  EXPECT_EQ(first_payload(b->packets[1]), 3);
  EXPECT_EQ(first_payload(b->packets[2]), 4);
  EXPECT_EQ(first_payload(b->packets[3]), 5);
  EXPECT_EQ(first_payload(c->packets[0]), 2);
  EXPECT_EQ(first_payload(c->packets[1]), 6);
  // The views point into the input, not into copies.
  EXPECT_EQ(b->packets[0].data(), packets[0].data());
  EXPECT_TRUE(out.icmp_replies().empty());
}

TEST(PacketRouter, DropsPacketsToOurAddressesAndRoutesToOurselves) {
  Fixture f;
  const auto& out =
      f.route({ipv4_packet("10.1.0.9", "10.1.0.1", 10),  // our address
               ipv6_packet("fd00::9", "fd00::1", 10), ipv4_packet("10.1.0.1", "10.1.0.1", 10)});
  EXPECT_EQ(out.counts().local, 3u);
  EXPECT_TRUE(out.peers().empty());
  EXPECT_TRUE(out.icmp_replies().empty());

  // Routed to our own peer ID through another address.
  Fixture g;
  g.routes.rebuild_machines(std::vector<RouteEntry>{make_route_entry("10.1.0.7", kSelf).value()});
  const auto& self_routed = g.route({ipv4_packet("10.1.0.1", "10.1.0.7", 10)});
  EXPECT_EQ(self_routed.counts().local, 1u);
  EXPECT_TRUE(self_routed.peers().empty());
}

TEST(PacketRouter, AnswersUnknownDestinationsWithRateLimitedIcmp) {
  Fixture f;
  const auto lost = ipv4_packet("10.1.0.1", "10.1.0.99", 10);
  const auto& out = f.route({lost, lost, lost});
  EXPECT_EQ(out.counts().no_route, 3u);
  // Burst of 2, then the limiter refuses.
  ASSERT_EQ(out.icmp_replies().size(), 2u);
  EXPECT_EQ(out.counts().icmp_replies, 2u);
  EXPECT_EQ(out.counts().icmp_rate_limited, 1u);
  const auto reply = parse_ip_header(out.icmp_replies()[0]);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->protocol, kProtocolIcmp);
  EXPECT_EQ(reply->destination, ip("10.1.0.1"));
  EXPECT_EQ(reply->source, ip("10.1.0.99"));
  // A second later a token is back; the replies of the last batch are gone.
  const auto& later = f.route({lost, lost}, t0() + std::chrono::seconds(1));
  EXPECT_EQ(later.icmp_replies().size(), 1u);
  EXPECT_EQ(later.counts().icmp_rate_limited, 1u);
}

TEST(PacketRouter, NeverAnswersBroadcastOrWhenIcmpIsOff) {
  Fixture f;
  const auto& out = f.route({ipv4_packet("10.1.0.1", "10.1.0.255", 10),  // directed broadcast
                             ipv4_packet("10.1.0.1", "224.0.0.5", 10)});
  EXPECT_EQ(out.counts().no_route, 2u);
  EXPECT_TRUE(out.icmp_replies().empty());
  EXPECT_EQ(out.counts().icmp_rate_limited, 0u);

  auto config = Fixture::config();
  config.icmp_unreachable = false;
  PacketRouter quiet(config);
  RoutedBatch batch;
  const auto lost = ipv4_packet("10.1.0.1", "10.1.0.99", 10);
  const util::ByteView views[] = {lost};
  quiet.route(views, f.routes, t0(), batch);
  EXPECT_EQ(batch.counts().no_route, 1u);
  EXPECT_TRUE(batch.icmp_replies().empty());
}

TEST(PacketRouter, CountsMalformedPacketsAndCutsTrailingBytes) {
  Fixture f;
  auto padded = ipv4_packet("10.1.0.1", "10.1.0.2", 10);
  padded.resize(padded.size() + 7, 0xee);  // bytes past the IP length
  auto short_header = ipv4_packet("10.1.0.1", "10.1.0.2", 10);
  short_header.resize(12);
  auto lying_length = ipv4_packet("10.1.0.1", "10.1.0.2", 10);
  lying_length[3] = 200;  // longer than the buffer
  const auto& out = f.route({util::Bytes{}, util::Bytes{0x45}, short_header, lying_length,
                             util::Bytes(40, 0x00), padded});
  EXPECT_EQ(out.counts().malformed, 5u);
  ASSERT_EQ(out.peers().size(), 1u);
  ASSERT_EQ(out.peers()[0].packets.size(), 1u);
  EXPECT_EQ(out.peers()[0].packets[0].size(), 30u);
  EXPECT_EQ(out.counts().routed + out.counts().malformed, 6u);
}

TEST(PacketRouter, RefusesPacketsAboveTheSizeLimit) {
  auto config = Fixture::config();
  config.max_packet_size = 100;
  Fixture f;
  PacketRouter router(config);
  RoutedBatch out;
  const auto small = ipv4_packet("10.1.0.1", "10.1.0.2", 80);
  const auto big = ipv4_packet("10.1.0.1", "10.1.0.2", 81);
  const util::ByteView views[] = {small, big};
  router.route(views, f.routes, t0(), out);
  EXPECT_EQ(out.counts().routed, 1u);
  EXPECT_EQ(out.counts().malformed, 1u);
}

TEST(PacketRouter, FollowsTheRouterRuleAndRouteChangesBetweenBatches) {
  Fixture f;
  f.routes.set_router(ip("10.1.0.3"));
  // From our address to an unknown destination: to the router's peer (C).
  const auto& out = f.route({ipv4_packet("10.1.0.1", "192.168.5.5", 10)});
  ASSERT_EQ(out.peers().size(), 1u);
  EXPECT_EQ(*out.peers()[0].peer, peer(kPeerC));
  // The same flow after a route change: the flow cache does not outlive the batch.
  f.routes.rebuild_machines(std::vector<RouteEntry>{make_route_entry("10.1.0.3", kPeerB).value()});
  const auto& changed = f.route({ipv4_packet("10.1.0.1", "192.168.5.5", 10)});
  ASSERT_EQ(changed.peers().size(), 1u);
  EXPECT_EQ(*changed.peers()[0].peer, peer(kPeerB));
}

TEST(PacketRouter, ReusesItsOutputFromBatchToBatch) {
  Fixture f;
  const std::vector<util::Bytes> first = {ipv4_packet("10.1.0.1", "10.1.0.2", 10),
                                          ipv4_packet("10.1.0.1", "10.1.0.3", 10)};
  EXPECT_EQ(f.route(first).peers().size(), 2u);
  const auto& second = f.route({ipv4_packet("10.1.0.1", "10.1.0.3", 10)});
  ASSERT_EQ(second.peers().size(), 1u);
  EXPECT_EQ(*second.peers()[0].peer, peer(kPeerC));
  EXPECT_EQ(second.peers()[0].packets.size(), 1u);
  EXPECT_EQ(second.counts().routed, 1u);
}

TEST(PacketRouter, RoutesAPacketBatchFromTheTun) {
  Fixture f;
  PacketBatch batch(4, 2048);
  for (const auto& packet :
       {ipv4_packet("10.1.0.1", "10.1.0.2", 10), ipv4_packet("10.1.0.1", "10.1.0.99", 10)}) {
    auto slot = batch.next_slot();
    std::copy(packet.begin(), packet.end(), slot.begin());
    batch.push(packet.size());
  }
  RoutedBatch out;
  f.router.route(batch, f.routes, t0(), out);
  EXPECT_EQ(out.counts().routed, 1u);
  EXPECT_EQ(out.counts().no_route, 1u);
  EXPECT_EQ(out.icmp_replies().size(), 1u);
}

TEST(PacketRouter, AcceptsOurAddressesAndRoutedNetworksOnTheReceivePath) {
  auto config = Fixture::config();
  config.routed_networks = {cidr("192.168.0.0/16")};
  PacketRouter router(config);
  EXPECT_TRUE(router.accepts_destination(ip("10.1.0.1")));
  EXPECT_TRUE(router.accepts_destination(ip("fd00::1")));
  EXPECT_TRUE(router.accepts_destination(ip("192.168.3.4")));
  EXPECT_FALSE(router.accepts_destination(ip("10.1.0.2")));
  router.set_addresses({cidr("10.1.0.5/24")});
  EXPECT_FALSE(router.accepts_destination(ip("10.1.0.1")));
  EXPECT_TRUE(router.is_own_address(ip("10.1.0.5")));
}

}  // namespace
}  // namespace edgevpn::vpn
