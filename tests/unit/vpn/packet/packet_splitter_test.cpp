// Splitting `/edgevpn/0.1` streams into IP packets whatever the read sizes.
#include "vpn/packet/packet_splitter.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "packet_builders.hpp"

namespace edgevpn::vpn {
namespace {

using testing::ipv4_packet;
using testing::ipv6_packet;

util::Bytes three_packet_stream(std::vector<util::Bytes>& packets) {
  packets = {ipv4_packet("10.1.0.1", "10.1.0.2", 100), ipv6_packet("fd00::1", "fd00::2", 7),
             ipv4_packet("10.1.0.3", "10.1.0.2", 0)};
  util::Bytes stream;
  for (const auto& packet : packets) util::append(stream, packet);
  return stream;
}

TEST(PacketSplitter, SplitsStreamIntoPacketsForEveryChunkSize) {
  std::vector<util::Bytes> packets;
  const auto stream = three_packet_stream(packets);
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    PacketSplitter splitter;
    std::vector<util::Bytes> got;
    for (size_t offset = 0; offset < stream.size(); offset += chunk) {
      const size_t n = std::min(chunk, stream.size() - offset);
      auto status = splitter.feed(util::ByteView(stream).subspan(offset, n),
                                  [&](util::ByteView p) { got.emplace_back(p.begin(), p.end()); });
      ASSERT_TRUE(status.ok()) << status.error().describe();
    }
    EXPECT_EQ(got, packets) << "chunk " << chunk;
    EXPECT_TRUE(splitter.finish().ok());
  }
}

TEST(PacketSplitter, ReportsPartialPacketAtEndOfStream) {
  PacketSplitter splitter;
  const auto packet = ipv4_packet("10.1.0.1", "10.1.0.2", 100);
  int count = 0;
  ASSERT_TRUE(
      splitter.feed(util::ByteView(packet).first(50), [&](util::ByteView) { ++count; }).ok());
  EXPECT_EQ(count, 0);
  EXPECT_EQ(splitter.finish().error().code, util::Errc::kTruncated);
}

TEST(PacketSplitter, RejectsGarbageAndStaysFailed) {
  PacketSplitter splitter;
  const util::Bytes garbage = {0x00, 0x01, 0x02, 0x03};
  EXPECT_EQ(splitter.feed(garbage, [](util::ByteView) {}).error().code, util::Errc::kMalformed);
  const auto packet = ipv4_packet("10.1.0.1", "10.1.0.2", 1);
  int count = 0;
  EXPECT_FALSE(splitter.feed(packet, [&](util::ByteView) { ++count; }).ok());
  EXPECT_EQ(count, 0);
}

TEST(PacketSplitter, RejectsGarbageAfterValidPacketInSameChunk) {
  PacketSplitter splitter;
  auto stream = ipv4_packet("10.1.0.1", "10.1.0.2", 1);
  stream.push_back(0x70);
  int count = 0;
  EXPECT_EQ(splitter.feed(stream, [&](util::ByteView) { ++count; }).error().code,
            util::Errc::kMalformed);
  EXPECT_EQ(count, 1);
}

TEST(PacketSplitter, RejectsPacketOverMaxSize) {
  PacketSplitter splitter(1420);
  const auto packet = ipv4_packet("10.1.0.1", "10.1.0.2", 1500);
  EXPECT_EQ(splitter.feed(util::ByteView(packet).first(4), [](util::ByteView) {}).error().code,
            util::Errc::kTooLarge);
}

}  // namespace
}  // namespace edgevpn::vpn

namespace edgevpn::vpn {
namespace {

// Found by fuzzing: an oversized length whose header completes at the end of a chunk.
TEST(PacketSplitter, RejectsOversizedHeaderCompletedAcrossChunks) {
  PacketSplitter splitter(1500);
  const util::Bytes first = {0x45, 0x00};
  const util::Bytes second = {0x40, 0x61};  // total length 16481
  EXPECT_TRUE(splitter.feed(first, [](util::ByteView) {}).ok());
  EXPECT_EQ(splitter.feed(second, [](util::ByteView) {}).error().code, util::Errc::kTooLarge);
}

}  // namespace
}  // namespace edgevpn::vpn
