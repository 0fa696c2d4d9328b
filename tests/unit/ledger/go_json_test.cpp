// Go encoding/json string escaping and writers: byte-for-byte what json.Marshal produces.
#include "ledger/go_json.hpp"

#include <gtest/gtest.h>

namespace edgevpn::ledger {
namespace {

TEST(GoQuote, EscapesHtmlCharacters) {
  EXPECT_EQ(go_quote("<a&b>"), R"("\u003ca\u0026b\u003e")");
}

TEST(GoQuote, EscapesQuotesBackslashAndControlCharacters) {
  EXPECT_EQ(go_quote(std::string("\"\\\n\r\t\b\f\x01\x1f\x7f", 10)),
            "\"\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"");
}

TEST(GoQuote, EscapesNulByte) {
  EXPECT_EQ(go_quote(std::string(1, '\0')), R"("\u0000")");
}

TEST(GoQuote, KeepsValidMultibyteUtf8) {
  EXPECT_EQ(go_quote("h\xc3\xa9llo \xe2\x80\xa6 \xf0\x9f\x98\x80"),
            "\"h\xc3\xa9llo \xe2\x80\xa6 \xf0\x9f\x98\x80\"");
}

TEST(GoQuote, EscapesLineAndParagraphSeparators) {
  EXPECT_EQ(go_quote("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
}

TEST(GoQuote, ReplacesEachInvalidUtf8ByteWithReplacementCharacter) {
  EXPECT_EQ(go_quote("\xff"), R"("\ufffd")");
  EXPECT_EQ(go_quote("a\xc3"), R"("a\ufffd")");                              // truncated sequence
  EXPECT_EQ(go_quote("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong
  EXPECT_EQ(go_quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate
  EXPECT_EQ(go_quote("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
}

TEST(GoObjectWriter, WritesFieldsInDeclarationOrder) {
  std::string json = GoObjectWriter()
                         .field_string("PeerID", "12D3KooWA")
                         .field_int("N", -3)
                         .field_uint("U", 18446744073709551615ull)
                         .field_bool("B", true)
                         .field_raw("Raw", "null")
                         .finish();
  EXPECT_EQ(json, R"({"PeerID":"12D3KooWA","N":-3,"U":18446744073709551615,"B":true,"Raw":null})");
}

TEST(GoEncodeStringMap, SortsKeysLikeGo) {
  EXPECT_EQ(go_encode_string_map({{"28", "fd00::1"}, {"1", "10.1.0.1"}}),
            R"({"1":"10.1.0.1","28":"fd00::1"})");
  EXPECT_EQ(go_encode_string_map({}), "{}");
}

}  // namespace
}  // namespace edgevpn::ledger
