// Ownership: mode parsing, the default registry's owners and expiry, RFC3339 and liveness.
#include "ledger/ownership.hpp"

#include <gtest/gtest.h>

namespace edgevpn::ledger {
namespace {

using namespace std::chrono_literals;

util::WallTime unix_time(int64_t seconds) {
  return util::WallTime(std::chrono::seconds(seconds));
}

TEST(OwnershipMode, ParsesModesAndAliases) {
  EXPECT_EQ(*parse_ownership_mode(""), OwnershipMode::kOff);
  EXPECT_EQ(*parse_ownership_mode("off"), OwnershipMode::kOff);
  EXPECT_EQ(*parse_ownership_mode("observe"), OwnershipMode::kObserve);
  EXPECT_EQ(*parse_ownership_mode("log"), OwnershipMode::kObserve);
  EXPECT_EQ(*parse_ownership_mode("log-only"), OwnershipMode::kObserve);
  EXPECT_EQ(*parse_ownership_mode("enforce"), OwnershipMode::kEnforce);
  EXPECT_EQ(*parse_ownership_mode(" ON "), OwnershipMode::kEnforce);
  EXPECT_EQ(*parse_ownership_mode("Enforce"), OwnershipMode::kEnforce);
}

TEST(OwnershipMode, RejectsUnknownSpellings) {
  auto mode = parse_ownership_mode("enabled");
  ASSERT_FALSE(mode.ok());
  EXPECT_EQ(mode.error().code, util::Errc::kInvalidArgument);
  EXPECT_FALSE(parse_ownership_mode("true").ok());
}

TEST(OwnershipMode, PrintsOperatorSpelling) {
  EXPECT_EQ(to_string(OwnershipMode::kOff), "off");
  EXPECT_EQ(to_string(OwnershipMode::kObserve), "observe");
  EXPECT_EQ(to_string(OwnershipMode::kEnforce), "enforce");
}

TEST(Registry, DefaultOwnersFollowSpecTable) {
  Registry registry = Registry::defaults(480s);
  std::string machine = R"({"PeerID":"12D3KooWA","Address":"10.1.0.1"})";
  for (const char* bucket : {"machines", "services", "files"}) {
    const auto& policy = registry.policy(bucket);
    EXPECT_TRUE(policy.owned) << bucket;
    EXPECT_EQ(policy.expiry, Expiry::kLiveness);
    EXPECT_EQ(policy.owner_of("10.1.0.1", machine), "12D3KooWA");
  }
  for (const char* bucket : {"users", "egress"}) {
    EXPECT_EQ(registry.policy(bucket).owner_of("12D3KooWK", "\"ok\""), "12D3KooWK");
    EXPECT_EQ(registry.policy(bucket).expiry, Expiry::kLiveness);
  }
  const auto& health = registry.policy("healthcheck");
  EXPECT_EQ(health.expiry, Expiry::kAbsolute);
  EXPECT_EQ(health.ttl, 480s);
  EXPECT_EQ(health.owner_of("12D3KooWK", "\"x\""), "12D3KooWK");
  const auto& dns = registry.policy("dns");
  EXPECT_TRUE(dns.owned);
  EXPECT_FALSE(dns.has_owner_function());
  for (const char* bucket : {"trustzone", "trustzoneAuth", "dhcp", "custom"}) {
    EXPECT_FALSE(registry.policy(bucket).owned) << bucket;
    EXPECT_EQ(registry.policy(bucket).expiry, Expiry::kNever);
  }
}

TEST(Registry, PeerIdFieldDecodesLikeGo) {
  EXPECT_EQ(peer_id_field(R"({"peerid":"x"})"), "x");
  EXPECT_EQ(peer_id_field(R"({"PeerID":5})"), "");
  EXPECT_EQ(peer_id_field(R"("just a string")"), "");
  EXPECT_EQ(peer_id_field("not json"), "");
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(*parse_rfc3339("2023-11-14T22:13:20Z"), unix_time(1700000000));
  EXPECT_EQ(*parse_rfc3339("2023-11-14T23:13:20+01:00"), unix_time(1700000000));
  EXPECT_EQ(*parse_rfc3339("2023-11-14T21:13:20-01:00"), unix_time(1700000000));
  EXPECT_EQ(*parse_rfc3339("2023-11-14T22:13:20.5Z"), unix_time(1700000000) + 500ms);
}

TEST(Rfc3339, RejectsOtherLayouts) {
  EXPECT_FALSE(parse_rfc3339("2023-11-14 22:13:20Z").ok());
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20").ok());
  EXPECT_FALSE(parse_rfc3339("2023-02-30T22:13:20Z").ok());
  EXPECT_FALSE(parse_rfc3339("2023-11-14T24:13:20Z").ok());
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20Zjunk").ok());
  EXPECT_FALSE(parse_rfc3339("").ok());
}

TEST(Rfc3339, FormatsHeartbeatTime) {
  EXPECT_EQ(format_rfc3339_utc(unix_time(1700000001) + 999ms), "2023-11-14T22:13:21Z");
}

TEST(Liveness, OwnerIsLiveWhileHeartbeatPlusTtlIsAfterNow) {
  HeartbeatValues heartbeats{{"A", R"("2023-11-14T22:13:20Z")"}, {"B", "not json"}};
  EXPECT_TRUE(is_live(heartbeats, "A", 480s, unix_time(1700000000 + 479)));
  EXPECT_FALSE(is_live(heartbeats, "A", 480s, unix_time(1700000000 + 480)));
  EXPECT_FALSE(is_live(heartbeats, "B", 480s, unix_time(1700000000)));
  EXPECT_FALSE(is_live(heartbeats, "C", 480s, unix_time(1700000000)));
}

}  // namespace
}  // namespace edgevpn::ledger
