// Tests for the ping echo check.
#include "p2p/ping/ping_payload.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::ping {
namespace {

TEST(PingPayload, AcceptsIdenticalEcho) {
  util::Bytes sent(kPayloadSize, 0xab);
  EXPECT_TRUE(check_echo(sent, sent).ok());
}

TEST(PingPayload, RejectsAlteredOrShortEcho) {
  util::Bytes sent(kPayloadSize, 0xab);
  util::Bytes altered = sent;
  altered[31] ^= 1;
  EXPECT_EQ(check_echo(sent, altered).error().code, util::Errc::kProtocol);
  EXPECT_EQ(check_echo(sent, util::ByteView(sent).first(31)).error().code, util::Errc::kProtocol);
}

TEST(PingPayload, RejectsPayloadOfWrongSize) {
  util::Bytes sent(16, 1);
  EXPECT_EQ(check_echo(sent, sent).error().code, util::Errc::kInvalidArgument);
}

}  // namespace
}  // namespace edgevpn::p2p::ping
