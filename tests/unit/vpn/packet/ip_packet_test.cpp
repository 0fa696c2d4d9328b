// IPv4/IPv6 header parsing, address/CIDR parsing and the Internet checksum.
#include "vpn/packet/ip_packet.hpp"

#include <gtest/gtest.h>

#include "packet_builders.hpp"

namespace edgevpn::vpn {
namespace {

using testing::ip;
using testing::ipv4_packet;
using testing::ipv6_packet;

TEST(IpPacket, ParsesIpv4Header) {
  const auto packet = ipv4_packet("10.1.0.1", "10.1.0.2", 8);
  auto header = parse_ip_header(packet);
  ASSERT_TRUE(header.ok()) << header.error().describe();
  EXPECT_EQ(header->version, 4);
  EXPECT_EQ(header->header_length, 20u);
  EXPECT_EQ(header->total_length, 28u);
  EXPECT_EQ(header->protocol, kProtocolUdp);
  EXPECT_EQ(header->source.to_string(), "10.1.0.1");
  EXPECT_EQ(header->destination.to_string(), "10.1.0.2");
  EXPECT_EQ(internet_checksum(util::ByteView(packet.data(), 20)), 0);
}

TEST(IpPacket, ParsesIpv6Header) {
  const auto packet = ipv6_packet("fd00::1", "fd00::2", 12);
  auto header = parse_ip_header(packet);
  ASSERT_TRUE(header.ok()) << header.error().describe();
  EXPECT_EQ(header->version, 6);
  EXPECT_EQ(header->total_length, 52u);
  EXPECT_EQ(header->source, ip("fd00::1"));
  EXPECT_EQ(header->destination.to_string(), "fd00::2");
}

TEST(IpPacket, RejectsWrongVersionAndShortLengths) {
  util::Bytes garbage = {0x15, 0, 0, 40};
  EXPECT_EQ(ip_packet_length(garbage).error().code, util::Errc::kMalformed);
  auto packet = ipv4_packet("10.1.0.1", "10.1.0.2", 8);
  packet[3] = 10;  // total length below the 20-byte header
  EXPECT_EQ(ip_packet_length(packet).error().code, util::Errc::kMalformed);
  packet = ipv4_packet("10.1.0.1", "10.1.0.2", 8);
  packet[0] = 0x44;  // IHL 4 = 16 bytes
  EXPECT_EQ(parse_ip_header(packet).error().code, util::Errc::kMalformed);
}

TEST(IpPacket, ReportsTruncationWhenBufferShorterThanLength) {
  auto packet = ipv4_packet("10.1.0.1", "10.1.0.2", 8);
  EXPECT_EQ(parse_ip_header(util::ByteView(packet).first(27)).error().code, util::Errc::kTruncated);
  EXPECT_EQ(ip_packet_length(util::ByteView(packet).first(3)).error().code, util::Errc::kTruncated);
  auto v6 = ipv6_packet("fd00::1", "fd00::2", 4);
  EXPECT_EQ(parse_ip_header(util::ByteView(v6).first(39)).error().code, util::Errc::kTruncated);
  EXPECT_EQ(*ip_packet_length(util::ByteView(v6).first(6)), 44u);
}

TEST(IpAddress, ParsesAndFormatsBothFamilies) {
  EXPECT_EQ(ip("10.1.0.11").to_string(), "10.1.0.11");
  EXPECT_EQ(ip("FD00:0:0::0001").to_string(), "fd00::1");
  EXPECT_EQ(ip("::ffff:10.1.0.1"), ip("10.1.0.1"));  // as Go's net.IP prints it
  EXPECT_FALSE(IpAddress::parse("10.1.0").ok());
  EXPECT_FALSE(IpAddress::parse("").ok());
  EXPECT_TRUE(ip("224.0.0.1").is_multicast());
  EXPECT_TRUE(ip("ff02::1").is_multicast());
}

TEST(IpNetwork, ParsesCidrAndRejectsBadOnes) {
  auto network = IpNetwork::parse("10.1.0.1/24");
  ASSERT_TRUE(network.ok());
  EXPECT_EQ(network->prefix_length, 24);
  EXPECT_TRUE(network->contains(ip("10.1.0.200")));
  EXPECT_FALSE(network->contains(ip("10.1.1.1")));
  EXPECT_TRUE(network->is_broadcast_of(ip("10.1.0.255")));
  EXPECT_EQ(network->to_string(), "10.1.0.1/24");
  EXPECT_TRUE(IpNetwork::parse("fd00::1/64").ok());
  for (const char* bad : {"10.1.0.1", "10.1.0.1/33", "10.1.0.1/", "10.1.0.1/2x", "fd00::1/129",
                          "nonsense/8", "10.1.0.1/-1"}) {
    EXPECT_FALSE(IpNetwork::parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace edgevpn::vpn
