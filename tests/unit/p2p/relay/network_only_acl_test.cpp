#include "p2p/relay/network_only_acl.hpp"

#include <gtest/gtest.h>

#include "relay_vectors.hpp"

namespace edgevpn::p2p::relay {
namespace {

using testing::fixed_key;
using testing::fixed_peer;

TEST(NetworkOnlyAclTest, IsOpenUntilTheFirstNonEmptyBucket) {
  NetworkOnlyAcl acl;
  EXPECT_TRUE(acl.open());
  EXPECT_TRUE(acl.allow_reserve(fixed_peer(4)));
  acl.refresh({});
  EXPECT_TRUE(acl.allow_reserve(fixed_peer(4)));
  acl.refresh({fixed_peer(2).to_base58()});
  EXPECT_FALSE(acl.open());
  EXPECT_TRUE(acl.allow_reserve(fixed_peer(2)));
  EXPECT_FALSE(acl.allow_reserve(fixed_peer(4)));
}

TEST(NetworkOnlyAclTest, AnEmptyBucketLaterKeepsTheLastMembers) {
  NetworkOnlyAcl acl;
  acl.refresh({fixed_peer(2).to_base58(), "not a peer id"});
  EXPECT_EQ(acl.member_count(), 1u);
  acl.refresh({});
  EXPECT_TRUE(acl.allow_reserve(fixed_peer(2)));
  acl.refresh({fixed_peer(3).to_base58()});
  EXPECT_FALSE(acl.allow_reserve(fixed_peer(2)));
  EXPECT_TRUE(acl.allow_reserve(fixed_peer(3)));
}

TEST(NetworkOnlyAclTest, GatesRelayReservationsButNotConnects) {
  NetworkOnlyAcl acl;
  acl.refresh({fixed_peer(2).to_base58()});
  Relay relay(fixed_key(1), RelayResources::edgevpn_defaults(), acl.relay_acl());
  const auto now = util::WallTime{} + std::chrono::seconds(1767225600);
  const Multiaddr addr = *Multiaddr::parse("/ip4/5.5.5.2/tcp/4001");
  HopMessage reserve;
  reserve.type = HopType::kReserve;
  EXPECT_EQ(relay.handle_hop(reserve, Requester{fixed_peer(4), addr}, now).status,
            Status::kPermissionDenied);
  EXPECT_EQ(relay.handle_hop(reserve, Requester{fixed_peer(2), addr}, now).status, Status::kOk);
  HopMessage connect;
  connect.type = HopType::kConnect;
  connect.peer = PeerInfo{fixed_peer(2), {}};
  EXPECT_EQ(relay.handle_hop(connect, Requester{fixed_peer(4), addr}, now).kind,
            HopOutcome::Kind::kCircuitPending);
}

}  // namespace
}  // namespace edgevpn::p2p::relay
