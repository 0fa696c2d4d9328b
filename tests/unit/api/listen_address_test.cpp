// The listen spec of `--api-listen` / `--listen`: TCP forms, unix sockets, and refusals.
#include "api/listen_address.hpp"

#include <gtest/gtest.h>

namespace edgevpn::api {
namespace {

TEST(ListenAddress, ParsesTcpForms) {
  auto plain = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->kind, ListenAddress::Kind::kTcp);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 8080);
  EXPECT_EQ(plain->describe(), "127.0.0.1:8080");

  auto any = parse_listen_address(":9090");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_EQ(any->port, 9090);

  auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_EQ(v6->describe(), "[::1]:0");

  auto named = parse_listen_address("localhost:65535");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->host, "localhost");
  EXPECT_EQ(named->port, 65535);
}

TEST(ListenAddress, ParsesUnixSockets) {
  auto absolute = parse_listen_address("unix:///run/edgevpn/api.sock");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->kind, ListenAddress::Kind::kUnix);
  EXPECT_EQ(absolute->path, "/run/edgevpn/api.sock");
  EXPECT_EQ(absolute->describe(), "unix:///run/edgevpn/api.sock");

  auto relative = parse_listen_address("unix://api.sock");  // Go's TrimPrefix
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->path, "api.sock");
}

TEST(ListenAddress, RefusesMalformedSpecs) {
  for (const char* spec :
       {"", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:-1", "127.0.0.1:65536", "host:80x",
        "::1:80", "[::1:80", "[]:80", "a b:80", "unix://", "http://x:80"}) {
    auto parsed = parse_listen_address(spec);
    ASSERT_FALSE(parsed.ok()) << spec;
    EXPECT_EQ(parsed.error().code, util::Errc::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find("invalid listen address"), std::string::npos);
  }
  EXPECT_FALSE(parse_listen_address("unix:///" + std::string(200, 'p')).ok());
}

}  // namespace
}  // namespace edgevpn::api
