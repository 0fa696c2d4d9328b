// Envelope JSON: Go encoding/json byte-for-byte output and Go-like lenient decoding.
#include "ledger/envelope.hpp"

#include <gtest/gtest.h>

namespace edgevpn::ledger {
namespace {

TEST(Envelope, EncodesVectorWithNullAnnotations) {
  EXPECT_EQ(encode_envelope({"abc", "", nullptr}),
            R"({"Message":"abc","SenderID":"","Annotations":null})");
}

TEST(Envelope, EncodesAnnotationsWithSortedKeys) {
  Envelope envelope{"m", "peer", nlohmann::json{{"sigs", "x"}, {"a", 1}}};
  EXPECT_EQ(encode_envelope(envelope),
            R"({"Message":"m","SenderID":"peer","Annotations":{"a":1,"sigs":"x"}})");
}

TEST(Envelope, EscapesHtmlCharactersLikeGo) {
  EXPECT_EQ(encode_envelope({"<a&b>", "", nlohmann::json{{"k", "\xe2\x80\xa8"}}}),
            R"({"Message":"\u003ca\u0026b\u003e","SenderID":"","Annotations":{"k":"\u2028"}})");
}

TEST(GoJson, FormatsFloatsLikeGo) {
  EXPECT_EQ(go_json_encode(nlohmann::json(1.5)), "1.5");
  EXPECT_EQ(go_json_encode(nlohmann::json(1e21)), "1e+21");
  EXPECT_EQ(go_json_encode(nlohmann::json(1e-7)), "1e-7");
  EXPECT_EQ(go_json_encode(nlohmann::json(100.0)), "100");
}

TEST(Envelope, DecodesWhatItEncodes) {
  Envelope envelope{"00ff", "12D3KooWA", nlohmann::json{{"sigs", "<x>"}}};
  auto decoded = decode_envelope(encode_envelope(envelope));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, envelope);
}

TEST(Envelope, DecodesKeysCaseInsensitivelyLikeGo) {
  auto decoded = decode_envelope(R"({"message":"m","senderid":"s","extra":1})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->message, "m");
  EXPECT_EQ(decoded->sender_id, "s");
  EXPECT_TRUE(decoded->annotations.is_null());
}

TEST(Envelope, RejectsMalformedInput) {
  EXPECT_FALSE(decode_envelope("{").ok());
  EXPECT_FALSE(decode_envelope("[]").ok());
  EXPECT_FALSE(decode_envelope(R"({"Message":5})").ok());
  EXPECT_FALSE(decode_envelope(R"({"Annotations":"x"})").ok());
  EXPECT_FALSE(decode_envelope(std::string(10000, '[')).ok());
}

}  // namespace
}  // namespace edgevpn::ledger
