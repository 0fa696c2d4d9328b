// Network config: generation, EdgeVPN's exact YAML, token codec, validation and loading.
#include "node/config/network_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "crypto/random.hpp"
#include "util/encoding.hpp"

namespace edgevpn::node {
namespace {

NetworkConfig fixed_config() {
  NetworkConfig config;
  config.dht = {"dhtkey", 360, 43};
  config.crypto = {"cryptokey", 360, 43};
  config.room = "roomname";
  config.rendezvous = "rendezvousname";
  config.mdns = "mdnsname";
  config.max_message_size = 20971520;
  return config;
}

constexpr std::string_view kFixedYaml =
    "otp:\n"
    "  dht:\n"
    "    interval: 360\n"
    "    key: dhtkey\n"
    "    length: 43\n"
    "  crypto:\n"
    "    interval: 360\n"
    "    key: cryptokey\n"
    "    length: 43\n"
    "room: roomname\n"
    "rendezvous: rendezvousname\n"
    "mdns: mdnsname\n"
    "max_message_size: 20971520\n";

bool alphanumeric(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return crypto::kAlphanumeric.find(c) != std::string_view::npos;
  });
}

TEST(NetworkConfig, GenerateMakesFortyThreeCharacterAlphanumericSecrets) {
  auto config = NetworkConfig::generate();
  for (const auto* secret :
       {&config.dht.key, &config.crypto.key, &config.room, &config.rendezvous, &config.mdns}) {
    EXPECT_EQ(secret->size(), 43u);
    EXPECT_TRUE(alphanumeric(*secret)) << *secret;
  }
  EXPECT_EQ(config.dht.interval, 360);
  EXPECT_EQ(config.crypto.interval, 360);
  EXPECT_EQ(config.dht.length, 43);
  EXPECT_EQ(config.crypto.length, 43);
  EXPECT_EQ(config.max_message_size, 20 << 20);
  EXPECT_NE(config.room, NetworkConfig::generate().room);
  EXPECT_TRUE(validate(config).ok());
}

TEST(NetworkConfig, GenerateUsesRequestedInterval) {
  auto config = NetworkConfig::generate(9000);
  EXPECT_EQ(config.dht.interval, 9000);
  EXPECT_EQ(config.crypto.interval, 9000);
}

TEST(NetworkConfig, YamlHasEdgeVpnFieldOrder) { EXPECT_EQ(fixed_config().to_yaml(), kFixedYaml); }

TEST(NetworkConfig, TokenIsStandardBase64OfTheYaml) {
  auto token = fixed_config().to_token();
  auto decoded = util::base64_decode(token, util::Base64::kStandard);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(util::as_string_view(*decoded), kFixedYaml);
  EXPECT_EQ(token.substr(0, 8), "b3RwOgog");  // what every EdgeVPN token starts with
}

TEST(NetworkConfig, ParseTokenRoundTrips) {
  auto config = NetworkConfig::generate();
  auto parsed = parse_token(config.to_token());
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(*parsed, config);
}

TEST(NetworkConfig, ParseTokenAcceptsLineWrappedBase64) {
  auto token = fixed_config().to_token();
  std::string wrapped;
  for (size_t i = 0; i < token.size(); i += 76) wrapped += token.substr(i, 76) + "\n";
  auto parsed = parse_token(wrapped);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, fixed_config());
}

TEST(NetworkConfig, ParsesEdgeVpnDocumentationConfig) {
  // Shape of the sample in EdgeVPN's docs (library defaults: interval 9000, 32-char keys).
  auto parsed = parse_yaml(
      "otp:\n  dht:\n    interval: 9000\n    key: LHKNKT6YZYQGGY3JANGXMLJTHRH7SW3C\n"
      "    length: 32\n  crypto:\n    interval: 9000\n    key: SGIB6NYJMSRJF2AJDGUI2NDB5LBVCPLS\n"
      "    length: 32\nroom: ubONSBFkdWbzkSBTglFzOhWvczTBQJOR\n"
      "rendezvous: exoHOajMYMSPrHhevAEEjnCHLssFfzfT\nmdns: aZjvMkWbbUnUoRjBLUgpWqNRJLHRFEWm\n"
      "max_message_size: 20971520\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->crypto.key, "SGIB6NYJMSRJF2AJDGUI2NDB5LBVCPLS");
  EXPECT_EQ(parsed->dht.interval, 9000);
  EXPECT_EQ(parsed->crypto.length, 32);
  EXPECT_EQ(parsed->mdns, "aZjvMkWbbUnUoRjBLUgpWqNRJLHRFEWm");
  EXPECT_TRUE(validate(*parsed).ok());
}

TEST(NetworkConfig, IgnoresUnknownKeysAndLeavesMissingNumbersZero) {
  auto parsed = parse_yaml("room: r\nfuture_field: {a: 1}\notp:\n  crypto:\n    key: k\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->room, "r");
  EXPECT_EQ(parsed->crypto.key, "k");
  EXPECT_EQ(parsed->crypto.interval, 0);
  EXPECT_EQ(parsed->max_message_size, 0);
}

TEST(NetworkConfig, NumericLookingStringsSurviveTheRoundTrip) {
  auto config = fixed_config();
  config.room = "1234567890";
  config.mdns = "true";
  config.rendezvous = "0x1F";
  auto yaml = config.to_yaml();
  EXPECT_NE(yaml.find("room: \"1234567890\""), std::string::npos) << yaml;
  auto parsed = parse_yaml(yaml);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, config);
}

TEST(NetworkConfig, ArbitraryBytesInStringsSurviveTheRoundTrip) {
  auto config = fixed_config();
  config.room = std::string("a\0b", 3);  // found by fuzz_token: NUL once passed as plain
  config.mdns = "quote\" back\\slash\nnew\tline\x01\x7f \xc3\xa9 \xff";
  config.rendezvous = "- leading dash: colon # hash";
  auto parsed = parse_yaml(config.to_yaml());
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(*parsed, config);
}

TEST(NetworkConfig, RefusesNonBase64Token) {
  auto parsed = parse_token("not base64!");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("base64"), std::string::npos);
}

TEST(NetworkConfig, RefusesTokenThatIsNotYamlMapping) {
  auto yaml_list = util::base64_encode(util::as_bytes("- a\n- b\n"));
  EXPECT_FALSE(parse_token(yaml_list).ok());
  auto broken = util::base64_encode(util::as_bytes("otp: [unclosed\n"));
  auto parsed = parse_token(broken);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("YAML"), std::string::npos);
}

TEST(NetworkConfig, RefusesNonIntegerInterval) {
  auto parsed = parse_yaml("otp:\n  crypto:\n    interval: soon\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("otp.crypto.interval"), std::string::npos);
}

struct BadField {
  std::string field;
  void (*spoil)(NetworkConfig&);
};

TEST(NetworkConfig, ValidationNamesTheBadField) {
  const BadField cases[] = {
      {"otp.crypto.key", [](NetworkConfig& c) { c.crypto.key.clear(); }},
      {"room", [](NetworkConfig& c) { c.room.clear(); }},
      {"otp.crypto.interval", [](NetworkConfig& c) { c.crypto.interval = 0; }},
      {"otp.crypto.interval", [](NetworkConfig& c) { c.crypto.interval = -5; }},
      {"otp.crypto.length", [](NetworkConfig& c) { c.crypto.length = 45; }},
      {"otp.crypto.length", [](NetworkConfig& c) { c.crypto.length = 0; }},
      {"otp.dht.interval", [](NetworkConfig& c) { c.dht.interval = 0; }},
      {"otp.dht.length", [](NetworkConfig& c) { c.dht.length = 45; }},
      {"max_message_size", [](NetworkConfig& c) { c.max_message_size = 0; }},
  };
  for (const auto& bad : cases) {
    auto config = fixed_config();
    bad.spoil(config);
    auto status = validate(config);
    ASSERT_FALSE(status.ok()) << bad.field;
    EXPECT_EQ(status.error().message.rfind(bad.field + ":", 0), 0u) << status.error().message;
  }
}

TEST(NetworkConfig, LengthsFromOneToFortyFourAreValid) {
  auto config = fixed_config();
  config.crypto.length = 1;
  EXPECT_TRUE(validate(config).ok());
  config.crypto.length = 44;
  EXPECT_TRUE(validate(config).ok());
}

TEST(NetworkConfig, DhtBlockIsOptional) {
  auto config = fixed_config();
  config.dht = {};
  EXPECT_TRUE(validate(config).ok());
  EXPECT_TRUE(config.dht_enabled());  // static rendezvous
  auto notes = discovery_notes(config);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("static rendezvous"), std::string::npos);
  config.rendezvous.clear();
  config.mdns.clear();
  EXPECT_FALSE(config.dht_enabled());
  EXPECT_FALSE(config.mdns_enabled());
  EXPECT_EQ(discovery_notes(config).size(), 2u);
}

class LoadNetworkConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("edgevpn-config-" + crypto::random_alphanumeric(12) + ".yaml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(std::string_view text) { std::ofstream(path_) << text; }
  std::filesystem::path path_;
};

TEST_F(LoadNetworkConfig, MissingTokenAndConfigIsEdgeVpnError) {
  auto loaded = load_network_config("", "");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, kMissingNetworkError);
}

TEST_F(LoadNetworkConfig, LoadsTokenAlone) {
  auto loaded = load_network_config(fixed_config().to_token(), "");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, fixed_config());
}

TEST_F(LoadNetworkConfig, FileValuesWinOverToken) {
  write("room: fromfile\nmax_message_size: 1024\n");
  auto loaded = load_network_config(fixed_config().to_token(), path_.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_EQ(loaded->room, "fromfile");
  EXPECT_EQ(loaded->max_message_size, 1024);
  EXPECT_EQ(loaded->crypto.key, "cryptokey");  // absent from the file: the token's value
}

TEST_F(LoadNetworkConfig, ValidatesTheMergedResult) {
  write("max_message_size: 0\n");
  auto loaded = load_network_config(fixed_config().to_token(), path_.string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("max_message_size"), std::string::npos);
}

TEST_F(LoadNetworkConfig, UnreadableFileIsAnError) {
  auto loaded = load_network_config("", path_.string() + ".missing");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, util::Errc::kIo);
}

}  // namespace
}  // namespace edgevpn::node
