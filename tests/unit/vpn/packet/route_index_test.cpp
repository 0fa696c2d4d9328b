// The routing table: machines bucket, static peer table (decoded peer IDs), --router fallback.
#include "vpn/packet/route_index.hpp"

#include <gtest/gtest.h>

#include "packet_builders.hpp"

namespace edgevpn::vpn {
namespace {

using testing::ip;

constexpr const char* kPeerA = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
constexpr const char* kPeerB = "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk";
constexpr const char* kPeerC = "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY";

crypto::PeerId peer(const char* text) {
  return crypto::PeerId::parse(text).value();
}

std::vector<RouteEntry> machines() {
  return {make_route_entry("10.1.0.11", kPeerA).value(),
          make_route_entry("10.1.0.12", kPeerB).value(),
          make_route_entry("fd00::12", kPeerB).value()};
}

TEST(RouteIndex, LooksUpMachinesByExactAddress) {
  RouteIndex index;
  index.rebuild_machines(machines());
  ASSERT_NE(index.lookup(ip("10.1.0.11")), nullptr);
  EXPECT_EQ(*index.lookup(ip("10.1.0.11")), peer(kPeerA));
  EXPECT_EQ(*index.lookup(ip("fd00:0::12")), peer(kPeerB));
  EXPECT_EQ(index.lookup(ip("10.1.0.13")), nullptr);
  EXPECT_TRUE(index.allows_peer(peer(kPeerA)));
  EXPECT_FALSE(index.allows_peer(peer(kPeerC)));
  index.rebuild_machines({});
  EXPECT_EQ(index.lookup(ip("10.1.0.11")), nullptr);
}

TEST(RouteIndex, StaticPeerTableDecodesPeerIdsAndIsExclusive) {
  const std::vector<std::string> table = {"10.1.0.50:" + std::string(kPeerC),
                                          "fd00::50:" + std::string(kPeerC)};
  auto entries = parse_peertable(table);
  ASSERT_TRUE(entries.ok()) << entries.error().describe();
  EXPECT_EQ((*entries)[0].peer.bytes(), peer(kPeerC).bytes());  // decoded, not the base58 text
  EXPECT_EQ((*entries)[1].address, ip("fd00::50"));
  RouteIndex index;
  index.rebuild_machines(machines());
  index.set_static_table(*entries);
  EXPECT_EQ(*index.lookup(ip("10.1.0.50")), peer(kPeerC));
  EXPECT_EQ(index.lookup(ip("10.1.0.11")), nullptr);
  EXPECT_FALSE(index.allows_peer(peer(kPeerA)));
  EXPECT_TRUE(index.allows_peer(peer(kPeerC)));
}

TEST(RouteIndex, RejectsBadPeertableEntries) {
  EXPECT_FALSE(parse_peertable_entry("10.1.0.50").ok());
  EXPECT_FALSE(parse_peertable_entry("10.1.0.50:notapeer").ok());
  EXPECT_FALSE(parse_peertable_entry("nonsense:" + std::string(kPeerA)).ok());
  EXPECT_FALSE(parse_peertable_entry(":" + std::string(kPeerA)).ok());
}

TEST(RouteIndex, RouterFallbackOnlyForOwnTrafficToUnknownDestinations) {
  RouteIndex index;
  index.rebuild_machines(machines());
  index.set_own_address(ip("10.1.0.1"));
  index.set_router(ip("10.1.0.12"));
  EXPECT_EQ(*index.route(ip("10.1.0.1"), ip("8.8.8.8")), peer(kPeerB));    // via router
  EXPECT_EQ(*index.route(ip("10.1.0.1"), ip("10.1.0.11")), peer(kPeerA));  // known: direct
  EXPECT_EQ(index.route(ip("10.9.9.9"), ip("8.8.8.8")), nullptr);          // not from us
  index.set_router(std::nullopt);
  EXPECT_EQ(index.route(ip("10.1.0.1"), ip("8.8.8.8")), nullptr);
}

}  // namespace
}  // namespace edgevpn::vpn
