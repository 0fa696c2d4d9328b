#include "node/dhcp_policy.hpp"

#include <gtest/gtest.h>

#include "ledger/ledger_state.hpp"

namespace edgevpn::node {
namespace {

vpn::IpAddress ip(const char* text) { return *vpn::IpAddress::parse(text); }

DhcpView view_of(std::string self, std::vector<std::string> available) {
  DhcpView view;
  view.self = std::move(self);
  view.available = std::move(available);
  view.fallback = ip("10.1.0.1");
  return view;
}

TEST(DhcpPolicyTest, WaitsForTwoLiveNodes) {
  const auto decision = decide_dhcp(view_of("A", {"A"}));
  EXPECT_EQ(decision.kind, DhcpDecision::Kind::kWait);
  EXPECT_NE(decision.reason.find("2"), std::string::npos);
}

TEST(DhcpPolicyTest, OnlyTheElectedNodeClaimsTheAllocatorRole) {
  const std::vector<std::string> peers = {"QmA", "QmB", "QmC"};
  const std::string elected = ledger::leader(peers);
  int claims = 0;
  for (const auto& self : peers) {
    const auto decision = decide_dhcp(view_of(self, peers));
    if (decision.kind == DhcpDecision::Kind::kClaimLeadership) {
      ++claims;
      EXPECT_EQ(self, elected);
    } else {
      EXPECT_EQ(decision.kind, DhcpDecision::Kind::kWait);
    }
  }
  EXPECT_EQ(claims, 1);
}

TEST(DhcpPolicyTest, FirstAllocatorTakesTheFallbackAddress) {
  auto view = view_of("QmA", {"QmA", "QmB"});
  view.recorded_leader = "QmA";
  const auto decision = decide_dhcp(view);
  ASSERT_EQ(decision.kind, DhcpDecision::Kind::kTake);
  EXPECT_EQ(decision.address, ip("10.1.0.1"));
}

TEST(DhcpPolicyTest, AllocatorTakesTheSuccessorOfTheHighestAddress) {
  auto view = view_of("QmC", {"QmA", "QmB", "QmC"});
  view.machines = {{"10.1.0.9", "QmA"}, {"10.1.0.30", "QmB"}, {"fd00::1", "QmB"},
                   {"not-an-ip", "QmX"}};
  view.recorded_leader = "QmC";
  const auto decision = decide_dhcp(view);
  ASSERT_EQ(decision.kind, DhcpDecision::Kind::kTake);
  EXPECT_EQ(decision.address, ip("10.1.0.31"));
}

TEST(DhcpPolicyTest, SuccessorCarriesIntoTheNextOctet) {
  auto view = view_of("QmC", {"QmA", "QmC"});
  view.machines = {{"10.1.0.255", "QmA"}};
  view.recorded_leader = "QmC";
  EXPECT_EQ(decide_dhcp(view).address, ip("10.1.1.0"));
}

TEST(DhcpPolicyTest, NodesWithAnAddressLeaveTheElection) {
  const std::vector<std::string> peers = {"QmA", "QmB", "QmC"};
  const std::string first = ledger::leader(peers);
  std::vector<std::string> rest;
  for (const auto& peer : peers) {
    if (peer != first) rest.push_back(peer);
  }
  const std::string second = ledger::leader(rest);
  auto view = view_of(second, peers);
  view.machines = {{"10.1.0.1", first}};
  // The recorded leader (first) has its address: it no longer waits, so `second` takes over.
  view.recorded_leader = first;
  EXPECT_EQ(decide_dhcp(view).kind, DhcpDecision::Kind::kClaimLeadership);
  // While the recorded leader still waits for its address, nobody else claims.
  view.machines.clear();
  EXPECT_EQ(decide_dhcp(view).kind, DhcpDecision::Kind::kWait);
}

TEST(DhcpPolicyTest, LeaseNameIsTheMd5OfTheKeyAndSuffix) {
  // md5("-ek") and md5("abc-ek"), computed with coreutils' md5sum.
  EXPECT_EQ(dhcp_lease_name(""), "4d48927a704eef0a830d19e5dbfb4b30");
  EXPECT_EQ(dhcp_lease_name("abc"), "9a035aeb44b2a41ce385a057aa1d2e4e");
}

}  // namespace
}  // namespace edgevpn::node
