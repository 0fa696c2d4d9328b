// Go durations, --ownership names and per-command defaults.
#include <gtest/gtest.h>

#include "node/config/go_duration.hpp"
#include "node/config/options.hpp"
#include "node/config/ownership.hpp"

namespace edgevpn::node {
namespace {

using namespace std::chrono_literals;

TEST(GoDuration, ParsesEdgeVpnDefaults) {
  EXPECT_EQ(*parse_go_duration("15s"), 15s);
  EXPECT_EQ(*parse_go_duration("5m"), 5min);
  EXPECT_EQ(*parse_go_duration("30m0s"), 30min);
  EXPECT_EQ(*parse_go_duration("1h0m0s"), 1h);
  EXPECT_EQ(*parse_go_duration("1.5h"), 90min);
  EXPECT_EQ(*parse_go_duration("300ms"), 300ms);
  EXPECT_EQ(*parse_go_duration("0"), 0s);
  EXPECT_EQ(*parse_go_duration("-2s"), -2s);
}

TEST(GoDuration, RejectsMissingUnitsAndGarbage) {
  EXPECT_FALSE(parse_go_duration("15").ok());
  EXPECT_FALSE(parse_go_duration("").ok());
  EXPECT_FALSE(parse_go_duration("s").ok());
  EXPECT_FALSE(parse_go_duration("1.2.3s").ok());
  EXPECT_FALSE(parse_go_duration("10 s").ok());
  EXPECT_FALSE(parse_go_duration("99999999999h").ok());
}

TEST(GoDuration, FormatsLikeGo) {
  EXPECT_EQ(format_go_duration(15s), "15s");
  EXPECT_EQ(format_go_duration(30min), "30m0s");
  EXPECT_EQ(format_go_duration(1h), "1h0m0s");
  EXPECT_EQ(format_go_duration(1500ms), "1.5s");
  EXPECT_EQ(format_go_duration(300ms), "300ms");
  EXPECT_EQ(format_go_duration(0s), "0s");
}

TEST(Ownership, AcceptsEdgeVpnNamesAndAliases) {
  EXPECT_EQ(*parse_ownership("off"), OwnershipMode::kOff);
  EXPECT_EQ(*parse_ownership("observe"), OwnershipMode::kObserve);
  EXPECT_EQ(*parse_ownership("log"), OwnershipMode::kObserve);
  EXPECT_EQ(*parse_ownership("log-only"), OwnershipMode::kObserve);
  EXPECT_EQ(*parse_ownership("enforce"), OwnershipMode::kEnforce);
  EXPECT_EQ(*parse_ownership("on"), OwnershipMode::kEnforce);
}

TEST(Ownership, RefusesAnythingElse) {
  for (auto bad : {"", "Enforce", "true", "observe "}) {
    auto parsed = parse_ownership(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message.find("ownership"), std::string::npos);
  }
}

TEST(Options, DefaultsFollowEdgeVpn) {
  Options options;
  EXPECT_EQ(options.ownership, "enforce");
  EXPECT_EQ(options.timeout, 15s);
  EXPECT_EQ(options.relay_service_max_duration, 30min);
  EXPECT_EQ(options.relay_service_max_data, 1073741824);
  EXPECT_EQ(options.discovery_interval, 720);
  EXPECT_EQ(options.address, std::vector<std::string>{"10.1.0.1/24"});
  EXPECT_EQ(options.interface_name, "edgevpn0");
  EXPECT_TRUE(options.mdns && options.dht && options.relay_service);
  EXPECT_EQ(options.dns_forward_server, (std::vector<std::string>{"8.8.8.8:53", "1.1.1.1:53"}));
}

TEST(Options, ProxyHasItsOwnListenDefaults) {
  EXPECT_EQ(defaults_for(Command::kProxy).listen, ":8080");
  EXPECT_EQ(defaults_for(Command::kProxy).api_listen, "127.0.0.1:8081");
  EXPECT_EQ(defaults_for(Command::kApi).listen, "127.0.0.1:8080");
  EXPECT_EQ(defaults_for(Command::kDns).listen, "");
}

}  // namespace
}  // namespace edgevpn::node
