// Destination-unreachable generation: formats, checksums, when not to answer, rate limiting.
#include "vpn/packet/icmp_unreachable.hpp"

#include <gtest/gtest.h>

#include "packet_builders.hpp"
#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn {
namespace {

using testing::ip;
using testing::ipv4_packet;
using testing::ipv6_packet;

uint16_t icmpv6_checksum_of(const util::Bytes& packet) {
  uint32_t sum = checksum_add(util::ByteView(packet.data() + 8, 32));
  const size_t length = packet.size() - 40;
  const uint8_t tail[8] = {
      0, 0, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), 0, 0, 0, 58};
  sum = checksum_add(util::ByteView(tail, 8), sum);
  return checksum_finish(checksum_add(util::ByteView(packet).subspan(40), sum));
}

TEST(IcmpUnreachable, BuildsIpv4HostUnreachableWithValidChecksums) {
  const auto dropped = ipv4_packet("10.1.0.1", "10.1.0.99", 30);
  auto reply = make_destination_unreachable(dropped);
  ASSERT_TRUE(reply.has_value());
  auto header = parse_ip_header(*reply);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->protocol, kProtocolIcmp);
  EXPECT_EQ(header->source, ip("10.1.0.99"));
  EXPECT_EQ(header->destination, ip("10.1.0.1"));
  EXPECT_EQ(header->total_length, reply->size());
  EXPECT_EQ(internet_checksum(util::ByteView(reply->data(), 20)), 0);
  EXPECT_EQ(internet_checksum(util::ByteView(*reply).subspan(20)), 0);
  EXPECT_EQ((*reply)[20], 3);
  EXPECT_EQ((*reply)[21], 1);
  EXPECT_TRUE(std::equal(dropped.begin(), dropped.end(), reply->begin() + 28));
}

TEST(IcmpUnreachable, QuotesAtMost576BytesForIpv4) {
  const auto dropped = ipv4_packet("10.1.0.1", "10.1.0.99", 1300);
  UnreachableOptions options;
  options.responder = ip("10.1.0.254");
  auto reply = make_destination_unreachable(dropped, options);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->size(), 576u);
  EXPECT_EQ(parse_ip_header(*reply)->source, ip("10.1.0.254"));
  EXPECT_EQ(internet_checksum(util::ByteView(*reply).subspan(20)), 0);
}

TEST(IcmpUnreachable, BuildsIcmpv6AddressUnreachableWithPseudoHeaderChecksum) {
  const auto dropped = ipv6_packet("fd00::1", "fd00::99", 1300);
  auto reply = make_destination_unreachable(dropped);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->size(), 1280u);
  auto header = parse_ip_header(*reply);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->protocol, kProtocolIcmpv6);
  EXPECT_EQ(header->source, ip("fd00::99"));
  EXPECT_EQ(header->destination, ip("fd00::1"));
  EXPECT_EQ((*reply)[40], 1);
  EXPECT_EQ((*reply)[41], 3);
  EXPECT_EQ(icmpv6_checksum_of(*reply), 0);
}

TEST(IcmpUnreachable, NeverAnswersIcmpErrorsMulticastOrBroadcast) {
  // ICMP destination unreachable (type 3) and ICMPv6 errors (type < 128) or redirects (137).
  EXPECT_FALSE(
      make_destination_unreachable(ipv4_packet("10.1.0.1", "10.1.0.9", 8, kProtocolIcmp, 3)));
  EXPECT_FALSE(
      make_destination_unreachable(ipv6_packet("fd00::1", "fd00::9", 8, kProtocolIcmpv6, 1)));
  EXPECT_FALSE(
      make_destination_unreachable(ipv6_packet("fd00::1", "fd00::9", 8, kProtocolIcmpv6, 137)));
  // Echo requests are answered.
  EXPECT_TRUE(
      make_destination_unreachable(ipv4_packet("10.1.0.1", "10.1.0.9", 8, kProtocolIcmp, 8)));
  EXPECT_TRUE(
      make_destination_unreachable(ipv6_packet("fd00::1", "fd00::9", 8, kProtocolIcmpv6, 128)));
  EXPECT_FALSE(make_destination_unreachable(ipv4_packet("10.1.0.1", "224.0.0.251", 8)));
  EXPECT_FALSE(make_destination_unreachable(ipv4_packet("10.1.0.1", "255.255.255.255", 8)));
  EXPECT_FALSE(make_destination_unreachable(ipv6_packet("fd00::1", "ff02::1", 8)));
  EXPECT_FALSE(make_destination_unreachable(ipv4_packet("0.0.0.0", "10.1.0.9", 8)));
  UnreachableOptions options;
  options.local_network = IpNetwork::parse("10.1.0.1/24").value();
  EXPECT_FALSE(make_destination_unreachable(ipv4_packet("10.1.0.1", "10.1.0.255", 8), options));
  // Malformed input never gets an answer.
  EXPECT_FALSE(make_destination_unreachable(util::Bytes{0x45, 0, 0}));
}

TEST(IcmpUnreachable, NeverAnswersNonFirstFragments) {
  auto fragment = ipv4_packet("10.1.0.1", "10.1.0.9", 8);
  fragment[7] = 10;  // fragment offset 10
  EXPECT_FALSE(make_destination_unreachable(fragment));
}

TEST(IcmpRateLimiter, AllowsBurstThenRefillsWithTime) {
  IcmpRateLimiter limiter(10, 3);
  util::SteadyTime now{};
  EXPECT_TRUE(limiter.allow(now));
  EXPECT_TRUE(limiter.allow(now));
  EXPECT_TRUE(limiter.allow(now));
  EXPECT_FALSE(limiter.allow(now));
  now += std::chrono::milliseconds(100);
  EXPECT_TRUE(limiter.allow(now));
  EXPECT_FALSE(limiter.allow(now));
  now += std::chrono::seconds(10);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow(now));
  EXPECT_FALSE(limiter.allow(now));
}

}  // namespace
}  // namespace edgevpn::vpn
