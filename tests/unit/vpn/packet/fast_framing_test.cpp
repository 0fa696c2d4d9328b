// The fast-path framing: many packets per buffer, decoded from arbitrary chunks.
#include "vpn/packet/fast_framing.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "packet_builders.hpp"

namespace edgevpn::vpn {
namespace {

using testing::ipv4_packet;
using testing::ipv6_packet;

TEST(FastFraming, EncodesLengthPrefixedBatch) {
  FastFrameEncoder encoder;
  const auto a = ipv4_packet("10.1.0.1", "10.1.0.2", 3);
  ASSERT_TRUE(encoder.append(a).ok());
  EXPECT_EQ(encoder.packet_count(), 1u);
  ASSERT_EQ(encoder.buffer().size(), 2 + a.size());
  EXPECT_EQ(encoder.buffer()[0], 0);
  EXPECT_EQ(encoder.buffer()[1], 23);
  encoder.clear();
  EXPECT_TRUE(encoder.empty());
  EXPECT_TRUE(encoder.buffer().empty());
}

TEST(FastFraming, RoundTripsBatchAcrossAnyChunking) {
  std::vector<util::Bytes> packets = {ipv4_packet("10.1.0.1", "10.1.0.2", 1400),
                                      ipv6_packet("fd00::1", "fd00::2", 0),
                                      ipv4_packet("10.1.0.9", "10.1.0.2", 5)};
  FastFrameEncoder encoder;
  std::vector<util::ByteView> views(packets.begin(), packets.end());
  ASSERT_TRUE(encoder.append_all(views).ok());
  const util::Bytes wire(encoder.buffer().begin(), encoder.buffer().end());
  for (size_t chunk : {1u, 2u, 3u, 7u, 100u, 1401u, 5000u}) {
    FastFrameDecoder decoder;
    std::vector<util::Bytes> got;
    for (size_t offset = 0; offset < wire.size(); offset += chunk) {
      auto status =
          decoder.feed(util::ByteView(wire).subspan(offset, std::min(chunk, wire.size() - offset)),
                       [&](util::ByteView p) { got.emplace_back(p.begin(), p.end()); });
      ASSERT_TRUE(status.ok()) << status.error().describe();
    }
    EXPECT_EQ(got, packets) << "chunk " << chunk;
    EXPECT_EQ(decoder.buffered(), 0u);
  }
}

TEST(FastFraming, EncoderRejectsEmptyAndOversizedPackets) {
  FastFrameEncoder encoder;
  EXPECT_EQ(encoder.append({}).error().code, util::Errc::kInvalidArgument);
  const util::Bytes huge(65536, 0x45);
  EXPECT_EQ(encoder.append(huge).error().code, util::Errc::kTooLarge);
  EXPECT_TRUE(encoder.empty());
}

TEST(FastFraming, DecoderRejectsZeroLengthAndNonIpFrames) {
  FastFrameDecoder decoder;
  const util::Bytes zero = {0, 0};
  EXPECT_EQ(decoder.feed(zero, [](util::ByteView) {}).error().code, util::Errc::kMalformed);

  FastFrameDecoder strict;
  const util::Bytes not_ip = {0, 3, 1, 2, 3};
  EXPECT_EQ(strict.feed(not_ip, [](util::ByteView) {}).error().code, util::Errc::kMalformed);
  // Frame length disagreeing with the IP length is an error too, and the stream stays failed.
  FastFrameDecoder mismatch;
  auto packet = ipv4_packet("10.1.0.1", "10.1.0.2", 4);
  util::Bytes wire = {0, static_cast<uint8_t>(packet.size() + 1)};
  util::append(wire, packet);
  wire.push_back(0);
  EXPECT_FALSE(mismatch.feed(wire, [](util::ByteView) {}).ok());
  util::Bytes good = {0, static_cast<uint8_t>(packet.size())};
  util::append(good, packet);
  EXPECT_FALSE(mismatch.feed(good, [](util::ByteView) {}).ok());
}

TEST(FastFraming, DecoderEnforcesMaxPacketSize) {
  FastFrameDecoder decoder(1500);
  const util::Bytes header = {0x07, 0xd0};  // 2000
  EXPECT_EQ(decoder.feed(header, [](util::ByteView) {}).error().code, util::Errc::kTooLarge);
}

}  // namespace
}  // namespace edgevpn::vpn
