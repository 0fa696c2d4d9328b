// Tests for multistream-select message encoding, decoding and the ls reply.
#include "p2p/multistream/multistream_message.hpp"

#include <gtest/gtest.h>

#include "util/varint.hpp"

namespace edgevpn::p2p::multistream {
namespace {

TEST(MultistreamMessage, EncodesLengthLineAndNewline) {
  const util::Bytes encoded = encode_message("/echo/1.0");
  const util::Bytes expected = {0x0a, '/', 'e', 'c', 'h', 'o', '/', '1', '.', '0', '\n'};
  EXPECT_EQ(encoded, expected);
}

TEST(MultistreamMessage, DecodesAndReportsConsumedBytes) {
  util::Bytes wire = encode_message("/multistream/1.0.0");
  wire.push_back(0x42);
  auto decoded = decode_message(wire);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->line, "/multistream/1.0.0");
  EXPECT_EQ(decoded->consumed, wire.size() - 1);
}

TEST(MultistreamMessage, ReportsTruncatedWhenIncomplete) {
  const util::Bytes wire = encode_message("/noise");
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    auto decoded = decode_message(util::ByteView(wire).first(cut));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, util::Errc::kTruncated) << cut;
  }
}

TEST(MultistreamMessage, RejectsOversizeMessageBeforeItArrives) {
  util::Bytes wire;
  util::put_uvarint(wire, kMaxMessageSize + 1);
  auto decoded = decode_message(wire);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kTooLarge);
}

TEST(MultistreamMessage, AcceptsMessageAtTheLimit) {
  const std::string line(kMaxMessageSize - 1, 'a');
  auto decoded = decode_message(encode_message(line));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->line, line);
}

TEST(MultistreamMessage, RejectsMissingNewlineAndEmptyMessage) {
  const util::Bytes no_newline = {0x02, 'n', 'a'};
  auto decoded = decode_message(no_newline);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kMalformed);
  const util::Bytes empty = {0x00};
  EXPECT_EQ(decode_message(empty).error().code, util::Errc::kMalformed);
}

TEST(MultistreamMessage, LsResponseRoundTrips) {
  const std::vector<std::string> protocols = {"/noise", "/yamux/1.0.0", "/ipfs/id/1.0.0"};
  const util::Bytes wire = encode_ls_response(protocols);
  auto outer = decode_message(wire);
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(outer->consumed, wire.size());
  auto listed = decode_ls_response(outer->line);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, protocols);
}

TEST(MultistreamMessage, LsResponseWithCutEntryIsMalformed) {
  auto listed = decode_ls_response(std::string("\x07/noise", 7));
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, util::Errc::kMalformed);
}

}  // namespace
}  // namespace edgevpn::p2p::multistream
