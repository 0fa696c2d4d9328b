#include "api/request_guard.hpp"

#include <gtest/gtest.h>

namespace edgevpn::api {
namespace {

RequestOrigin request(std::string method, std::optional<std::string> host,
                      std::optional<std::string> origin = std::nullopt,
                      std::optional<std::string> fetch_site = std::nullopt) {
  return RequestOrigin{std::move(method), std::move(host), std::move(origin),
                       std::move(fetch_site), false};
}

TEST(RequestGuardTest, IpLiteralsAndLocalhostNameThisApi) {
  for (const char* host : {"127.0.0.1:8080", "10.1.0.7", "[::1]:8080", "[fd00::1]", "localhost",
                           "LOCALHOST:8080", "localhost.:80", "ui.localhost:8080"}) {
    EXPECT_EQ(refuse_request(request("GET", host), {}), std::nullopt) << host;
  }
}

TEST(RequestGuardTest, OtherNamesAreRefusedUnlessConfigured) {
  // DNS rebinding: attacker.example resolves to 127.0.0.1 after the page has loaded.
  auto refused = refuse_request(request("GET", "attacker.example:8080"), {});
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->find("attacker.example"), std::string::npos);
  EXPECT_NE(refused->find("--api-allowed-host"), std::string::npos);
  OriginPolicy policy{{"Edgevpn.LAN"}};
  EXPECT_EQ(refuse_request(request("GET", "edgevpn.lan:8080"), policy), std::nullopt);
  EXPECT_TRUE(refuse_request(request("GET", "other.lan"), policy).has_value());
  EXPECT_EQ(refuse_request(request("GET", "anything.example"), OriginPolicy{{"*"}}), std::nullopt);
}

TEST(RequestGuardTest, MalformedHostsAreRefused) {
  for (const char* host : {"", "::1", "[::1", "[::1]x", ":8080"}) {
    EXPECT_TRUE(refuse_request(request("GET", host), {}).has_value()) << host;
  }
}

TEST(RequestGuardTest, CrossOriginRequestsAreRefusedSameOriginServed) {
  // The web UI posting to its own server.
  EXPECT_EQ(refuse_request(request("POST", "127.0.0.1:8080", "http://127.0.0.1:8080"), {}),
            std::nullopt);
  EXPECT_EQ(refuse_request(request("PUT", "localhost", "http://localhost:80"), {}), std::nullopt);
  // A page elsewhere (even on this machine) sending a text/plain POST or a CORS read.
  EXPECT_TRUE(
      refuse_request(request("POST", "127.0.0.1:8080", "http://evil.example"), {}).has_value());
  EXPECT_TRUE(
      refuse_request(request("GET", "127.0.0.1:8080", "http://127.0.0.1:3000"), {}).has_value());
  EXPECT_TRUE(refuse_request(request("DELETE", "127.0.0.1:8080", "null"), {}).has_value());
  // A configured dashboard may use the API from its own origin.
  EXPECT_EQ(refuse_request(request("POST", "127.0.0.1:8080", "https://dash.lan"),
                           OriginPolicy{{"dash.lan"}}),
            std::nullopt);
}

TEST(RequestGuardTest, BrowsersCrossSiteFetchesAreRefusedEvenWithoutOrigin) {
  EXPECT_TRUE(
      refuse_request(request("GET", "127.0.0.1:8080", std::nullopt, "cross-site"), {}).has_value());
  EXPECT_EQ(refuse_request(request("GET", "127.0.0.1:8080", std::nullopt, "same-origin"), {}),
            std::nullopt);
  EXPECT_EQ(refuse_request(request("GET", "127.0.0.1:8080", std::nullopt, "none"), {}),
            std::nullopt);
}

TEST(RequestGuardTest, UnixSocketAndHostlessRequestsAreServed) {
  auto over_unix = request("POST", "evil.example", "http://evil.example");
  over_unix.unix_socket = true;
  EXPECT_EQ(refuse_request(over_unix, {}), std::nullopt);
  EXPECT_EQ(refuse_request(request("GET", std::nullopt), {}), std::nullopt);  // HTTP/1.0
}

}  // namespace
}  // namespace edgevpn::api
