#include "p2p/yamux/yamux_frame.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::yamux {
namespace {

TEST(YamuxFrame, EncodesBigEndianTwelveByteHeader) {
  util::Bytes out;
  append_header(out,
                FrameHeader{FrameType::kWindowUpdate, kFlagSyn | kFlagFin, 0x01020304, 0x00040000});
  EXPECT_EQ(out, (util::Bytes{0, 1, 0, 5, 1, 2, 3, 4, 0, 4, 0, 0}));
}

TEST(YamuxFrame, RoundTripsEveryTypeAndFlag) {
  for (uint8_t type = 0; type <= 3; ++type) {
    const FrameHeader header{static_cast<FrameType>(type), 0x000f, 0xfffffffe, 0xdeadbeef};
    util::Bytes out;
    append_header(out, header);
    auto decoded = decode_header(out);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, header);
  }
}

TEST(YamuxFrame, RejectsBadVersion) {
  const util::Bytes bytes{1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
  auto decoded = decode_header(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kUnsupported);
}

TEST(YamuxFrame, RejectsUnknownType) {
  const util::Bytes bytes{0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
  auto decoded = decode_header(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kMalformed);
}

TEST(YamuxFrame, RejectsTruncatedHeader) {
  const util::Bytes bytes{0, 0, 0, 0, 0};
  auto decoded = decode_header(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kTruncated);
}

}  // namespace
}  // namespace edgevpn::p2p::yamux
