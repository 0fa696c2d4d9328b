// Command-line parsing: EdgeVPN's commands, aliases, flag syntaxes, environment variables and
// defaults, and the -g / -g -b outputs.
#include "cli/app.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

#include "cli/unavailable_flags.hpp"
#include "node/config/network_config.hpp"

namespace edgevpn::cli {
namespace {

using namespace std::chrono_literals;
using node::Command;

node::Options parse(std::vector<std::string> args) {
  CommandLine command_line;
  return command_line.parse(std::move(args));
}

// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(CliParse, NoArgumentsIsTheVpnWithEdgeVpnDefaults) {
  auto options = parse({});
  EXPECT_EQ(options.command, Command::kVpn);
  EXPECT_FALSE(options.generate);
  EXPECT_TRUE(options.mdns);
  EXPECT_EQ(options.timeout, 15s);
  EXPECT_EQ(options.api_listen, "127.0.0.1:8080");
  EXPECT_EQ(options.ownership, "enforce");
}

TEST(CliParse, TrueBooleansTurnOffWithEqualsFalse) {
  auto options = parse({"--mdns=false", "--dht=false", "--relay-service=false", "--natmap=0"});
  EXPECT_FALSE(options.mdns);
  EXPECT_FALSE(options.dht);
  EXPECT_FALSE(options.relay_service);
  EXPECT_FALSE(options.natmap);
  EXPECT_TRUE(options.holepunch);
}

TEST(CliParse, BareBooleanFlagTurnsOn) {
  auto options = parse({"--dhcp", "--egress"});
  EXPECT_TRUE(options.dhcp);
  EXPECT_TRUE(options.egress);
}

TEST(CliParse, SliceFlagsRepeatAndSplitOnCommas) {
  auto options = parse({"--blacklist", "a,b", "--blacklist", "c", "--blacklist=d"});
  EXPECT_EQ(options.blacklist, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(CliParse, SliceFlagReplacesItsDefault) {
  auto options = parse({"--dns-forward-server", "9.9.9.9:53"});
  EXPECT_EQ(options.dns_forward_server, std::vector<std::string>{"9.9.9.9:53"});
}

TEST(CliParse, SliceEnvironmentVariableIsCommaSeparated) {
  ScopedEnv env("EDGEVPNBOOTSTRAPPEERS", "/ip4/1.2.3.4/tcp/1/p2p/A,/ip4/5.6.7.8/tcp/2/p2p/B");
  auto options = parse({"start"});
  EXPECT_EQ(options.discovery_bootstrap_peers,
            (std::vector<std::string>{"/ip4/1.2.3.4/tcp/1/p2p/A", "/ip4/5.6.7.8/tcp/2/p2p/B"}));
}

TEST(CliParse, EnvironmentVariablesFillFlags) {
  ScopedEnv token("EDGEVPNTOKEN", "tok");
  ScopedEnv iface("IFACE", "vpn7");
  ScopedEnv mdns("EDGEVPNMDNS", "false");
  ScopedEnv relay_ttl("EDGEVPN_RELAY_RESERVATION_TTL", "2h");
  auto options = parse({});
  EXPECT_EQ(options.token, "tok");
  EXPECT_EQ(options.interface_name, "vpn7");
  EXPECT_FALSE(options.mdns);
  EXPECT_EQ(options.relay_service_reservation_ttl, 2h);
}

TEST(CliParse, CommandLineWinsOverEnvironment) {
  ScopedEnv token("EDGEVPNTOKEN", "fromenv");
  EXPECT_EQ(parse({"--token", "fromflag"}).token, "fromflag");
}

TEST(CliParse, DurationFlagsUseGoSyntax) {
  auto options = parse({"--timeout", "1m30s", "--relay-service-max-duration=45m"});
  EXPECT_EQ(options.timeout, 90s);
  EXPECT_EQ(options.relay_service_max_duration, 45min);
  EXPECT_THROW(parse({"--timeout", "15"}), CLI::ParseError);
}

TEST(CliParse, SingleDashLongFlagsWorkAsInGo) {
  auto options = parse({"-token", "abc", "-mdns=false", "-g", "-b"});
  EXPECT_EQ(options.token, "abc");
  EXPECT_FALSE(options.mdns);
  EXPECT_TRUE(options.generate);
  EXPECT_TRUE(options.base64);
}

TEST(CliParse, LegacySyncronizationSpellingIsAccepted) {
  EXPECT_EQ(parse({"--ledger-syncronization-interval", "33"}).ledger_synchronization_interval, 33);
  EXPECT_EQ(parse({"--ledger-synchronization-interval", "34"}).ledger_synchronization_interval,
            34);
}

TEST(CliParse, CommandsAndAliases) {
  EXPECT_EQ(parse({"start"}).command, Command::kStart);
  EXPECT_EQ(parse({"api"}).command, Command::kApi);
  EXPECT_EQ(parse({"sa", "web", "127.0.0.1:80"}).command, Command::kServiceAdd);
  EXPECT_EQ(parse({"service-add"}).command, Command::kServiceAdd);
  EXPECT_EQ(parse({"sc", "web", ":9090"}).command, Command::kServiceConnect);
  EXPECT_EQ(parse({"fs", "--name", "n", "--path", "/p"}).command, Command::kFileSend);
  EXPECT_EQ(parse({"fr", "n", "/p"}).command, Command::kFileReceive);
  EXPECT_EQ(parse({"proxy"}).command, Command::kProxy);
  EXPECT_EQ(parse({"dns"}).command, Command::kDns);
  EXPECT_EQ(parse({"peergater", "ecdsa-genkey", "--pubkey"}).command,
            Command::kPeergaterEcdsaGenkey);
  EXPECT_EQ(parse({"help"}).command, Command::kHelp);
  EXPECT_EQ(parse({"h", "start"}).args, std::vector<std::string>{"start"});
  EXPECT_EQ(parse({"token-info"}).command, Command::kTokenInfo);
}

TEST(CliParse, ServicePositionalsAndFlags) {
  auto positional = parse({"service-add", "web", "127.0.0.1:80"});
  EXPECT_EQ(positional.args, (std::vector<std::string>{"web", "127.0.0.1:80"}));
  auto flags = parse({"service-connect", "--name", "web", "--address", ":9090"});
  EXPECT_EQ(flags.name, "web");
  EXPECT_EQ(flags.service_address, ":9090");
  EXPECT_EQ(flags.address, std::vector<std::string>{"10.1.0.1/24"});  // the VPN address is untouched
}

TEST(CliParse, FileSendRequiresNameAndPath) {
  EXPECT_THROW(parse({"file-send", "n", "/p"}), CLI::ParseError);
  EXPECT_THROW(parse({"file-send", "--name", "n"}), CLI::ParseError);
}

TEST(CliParse, SubcommandsTakeCommonFlags) {
  auto options = parse({"start", "--token", "t", "--mdns=false", "--ownership", "off"});
  EXPECT_EQ(options.token, "t");
  EXPECT_FALSE(options.mdns);
  EXPECT_EQ(options.ownership, "off");
}

TEST(CliParse, ProxyAndApiHaveTheirOwnListenDefaults) {
  auto proxy = parse({"proxy"});
  EXPECT_EQ(proxy.listen, ":8080");
  EXPECT_EQ(proxy.api_listen, "127.0.0.1:8081");
  EXPECT_EQ(parse({"api"}).listen, "127.0.0.1:8080");
  EXPECT_EQ(parse({"proxy", "--listen", ":3128"}).listen, ":3128");
}

TEST(CliParse, FlagsBeforeTheSubcommandStayWithTheRootLikeUrfaveV1) {
  EXPECT_EQ(parse({"--token", "t", "start"}).token, "");
}

TEST(CliParse, UnselectedCommandsDoNotLeakEnvironmentIntoTheSelectedOne) {
  ScopedEnv token("EDGEVPNTOKEN", "fromenv");
  EXPECT_EQ(parse({"start", "--token", "fromflag"}).token, "fromflag");
}

TEST(CliParse, RootOnlyFlagsAreRefusedOnSubcommands) {
  EXPECT_THROW(parse({"start", "--dhcp"}), CLI::ParseError);
  EXPECT_THROW(parse({"--no-such-flag"}), CLI::ParseError);
}

TEST(CliHelp, TokenInfoIsHiddenAndEdgeVpnCommandsAreListed) {
  CommandLine command_line;
  auto help = command_line.app().help();
  EXPECT_EQ(help.find("token-info"), std::string::npos);
  for (auto command : {"start", "api", "service-add", "service-connect", "file-send",
                       "file-receive", "proxy", "dns", "peergater", "help"}) {
    EXPECT_NE(help.find(command), std::string::npos) << command;
  }
  EXPECT_NE(help.find("EDGEVPNTOKEN"), std::string::npos);
}

const std::vector<std::string> kDefaultOnFeaturesOff = {
    "--mdns=false",       "--autorelay=false", "--holepunch=false",    "--natservice=false",
    "--natmap=false",     "--dht=false",       "--relay-service=false"};

std::vector<std::string> with_default_on_features_off(std::vector<std::string> args) {
  args.insert(args.end(), kDefaultOnFeaturesOff.begin(), kDefaultOnFeaturesOff.end());
  return args;
}

TEST(UnavailableFlags, DefaultOnFeaturesNotBuiltAreReportedWhileOn) {
  EXPECT_EQ(unavailable_flags_in_use(parse({})),
            (std::vector<std::string_view>{"--autorelay", "--holepunch", "--natservice",
                                           "--natmap", "--relay-service"}));
  EXPECT_TRUE(unavailable_flags_in_use(parse(with_default_on_features_off({}))).empty());
  EXPECT_TRUE(unavailable_flags_in_use(parse(with_default_on_features_off({"proxy"}))).empty());
}

TEST(UnavailableFlags, ReportsEachChangedFlag) {
  auto in_use = unavailable_flags_in_use(
      parse(with_default_on_features_off({"--transient-conn", "--peergate-interval", "60", "--whitelist", "x"})));
  EXPECT_EQ(in_use, (std::vector<std::string_view>{"--whitelist", "--peergate-interval",
                                                   "--transient-conn"}));
}

TEST(RunCli, GenerateBase64PrintsATokenWithoutNewline) {
  testing::internal::CaptureStdout();
  int code = run_cli({"-g", "-b"});
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  ASSERT_FALSE(out.empty());
  EXPECT_NE(out.back(), '\n');
  auto config = node::parse_token(out);
  ASSERT_TRUE(config.ok()) << config.error().describe();
  EXPECT_TRUE(node::validate(*config).ok());
}

TEST(RunCli, GeneratePrintsYamlPlusBlankLineWithRequestedInterval) {
  testing::internal::CaptureStdout();
  int code = run_cli({"-g", "--key-otp-interval", "9000"});
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(out.substr(out.size() - 2), "\n\n");
  auto config = node::parse_yaml(out);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->crypto.interval, 9000);
}

TEST(RunCli, NetworkCommandWithoutTokenFails) {
  testing::internal::CaptureStderr();
  int code = run_cli({"start"});
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("EDGEVPNCONFIG or EDGEVPNTOKEN not supplied"), std::string::npos);
}

TEST(RunCli, BadOwnershipIsAStartupError) {
  auto token = node::NetworkConfig::generate().to_token();
  testing::internal::CaptureStderr();
  int code = run_cli({"start", "--token", token, "--ownership", "sometimes"});
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("ownership"), std::string::npos);
}

TEST(RunCli, TokenInfoPrintsDerivedValues) {
  node::NetworkConfig config;
  config.dht = {"dhtkey", 360, 43};
  config.crypto = {"cryptokey", 360, 43};
  config.room = "roomname";
  config.rendezvous = "r";
  config.mdns = "m";
  config.max_message_size = 1024;
  testing::internal::CaptureStdout();
  int code = run_cli({"token-info", "--token", config.to_token(), "--at", "1700000000"});
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("seal key: a89467c668bac45b14921cf589c02fb8"), std::string::npos) << out;
  EXPECT_NE(out.find("ledger topic: 50a7d9624e08cedc95f3dea089919925"), std::string::npos);
  EXPECT_NE(out.find("public topic: 73fd8fc26d531b57cce16d7f78589534"), std::string::npos);
  EXPECT_NE(out.find("dht rendezvous: fe808b8a671de5fec4e3d231ed83e9e7"), std::string::npos);
  EXPECT_NE(out.find("max message size: 1024"), std::string::npos);
}

}  // namespace
}  // namespace edgevpn::cli
