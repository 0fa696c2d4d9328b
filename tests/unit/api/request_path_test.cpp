// Request path decoding of the API router: segments, percent-decoding, trailing slashes, the
// checks on path arguments and the UTF-8 rules.
#include "api/request_path.hpp"

#include <gtest/gtest.h>

namespace edgevpn::api {
namespace {

using Segments = std::vector<std::string>;

Segments segments_of(std::string_view target) {
  auto decoded = decode_request_path(target);
  EXPECT_TRUE(decoded.ok()) << target << ": " << decoded.error().describe();
  return decoded.ok() ? decoded->segments : Segments{"<error>"};
}

TEST(RequestPath, SplitsThePathAndDropsQueryAndFragment) {
  auto decoded = decode_request_path("/api/ledger/bucket?x=1#top");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->path, "/api/ledger/bucket");
  EXPECT_EQ(decoded->segments, (Segments{"api", "ledger", "bucket"}));
  EXPECT_EQ(segments_of("/api/summary#frag?not-a-query"), (Segments{"api", "summary"}));
  EXPECT_EQ(decode_request_path("/app/x?y")->path, "/app/x");
}

TEST(RequestPath, RootHasNoSegmentsAndOneTrailingSlashIsIgnored) {
  EXPECT_EQ(segments_of("/"), Segments{});
  EXPECT_EQ(segments_of("/?q"), Segments{});
  EXPECT_EQ(segments_of("//"), Segments{});  // the root and its trailing slash
  EXPECT_EQ(segments_of("/api/"), Segments{"api"});
  EXPECT_EQ(segments_of("/api/ledger/"), (Segments{"api", "ledger"}));
}

TEST(RequestPath, EmptySegmentsInsideOrAfterADoubleSlashAreKept) {
  EXPECT_EQ(segments_of("///"), (Segments{"", ""}));
  EXPECT_EQ(segments_of("/a//b"), (Segments{"a", "", "b"}));
  EXPECT_EQ(segments_of("/a//"), (Segments{"a", ""}));
  EXPECT_EQ(segments_of("/a///"), (Segments{"a", "", ""}));
}

TEST(RequestPath, DecodesEachSegmentOnItsOwn) {
  EXPECT_EQ(segments_of("/api/ledger/a%2Fb/c"), (Segments{"api", "ledger", "a/b", "c"}));
  EXPECT_EQ(segments_of("/%41%62%63/%c3%A9"), (Segments{"Abc", "\xC3\xA9"}));
  EXPECT_EQ(segments_of("/a%20b/%00"), (Segments{"a b", std::string(1, '\0')}));
  EXPECT_EQ(segments_of("/100%25"), Segments{"100%"});
  EXPECT_EQ(segments_of("/a+b"), Segments{"a+b"});  // "+" is not a space in a path
}

TEST(RequestPath, RefusesPathsThatDoNotStartWithASlash) {
  for (std::string_view target : {"", "api/summary", "?x=1", "#top", "*", "http://host/api"}) {
    auto decoded = decode_request_path(target);
    ASSERT_FALSE(decoded.ok()) << target;
    EXPECT_EQ(decoded.error().code, util::Errc::kInvalidArgument);
    EXPECT_EQ(decoded.error().message, "request path must start with /");
  }
}

TEST(RequestPath, RefusesMalformedPercentEncoding) {
  for (std::string_view target : {"/%", "/%2", "/a%2/b", "/%zz", "/%g0", "/ok/%2x", "/%%41"}) {
    auto decoded = decode_request_path(target);
    ASSERT_FALSE(decoded.ok()) << target;
    EXPECT_EQ(decoded.error().message, "malformed percent-encoding in the request path");
  }
  // The query is not part of the path, whatever it holds.
  EXPECT_TRUE(decode_request_path("/api?%zz").ok());
}

TEST(RequestPath, ArgumentsMustBeNonEmptyBoundedUtf8) {
  EXPECT_TRUE(check_path_arguments(Segments{}, 4).ok());
  EXPECT_TRUE(check_path_arguments(Segments{"abcd", "\xC3\xA9"}, 4).ok());

  auto empty = check_path_arguments(Segments{"a", ""}, 4);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "empty path segment");

  auto long_one = check_path_arguments(Segments{"abcde"}, 4);
  ASSERT_FALSE(long_one.ok());
  EXPECT_EQ(long_one.error().message, "path segment longer than 4 bytes");

  auto binary = check_path_arguments(Segments{"\xFF"}, 4);
  ASSERT_FALSE(binary.ok());
  EXPECT_EQ(binary.error().message, "path segment is not valid UTF-8");

  // The first broken rule of the first bad segment is reported.
  EXPECT_EQ(check_path_arguments(Segments{"abcdef", ""}, 4).error().message,
            "path segment longer than 4 bytes");
}

TEST(RequestPath, Utf8RefusesOverlongSurrogateAndOutOfRangeForms) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9"));          // é
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC"));      // €
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(valid_utf8(std::string_view("\0", 1)));

  EXPECT_FALSE(valid_utf8("\x80"));              // a continuation byte alone
  EXPECT_FALSE(valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\xC3\x28"));          // bad continuation
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong "/"
  EXPECT_FALSE(valid_utf8("\xF0\x80\x80\xAF"));  // overlong "/"
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xFF"));
}

}  // namespace
}  // namespace edgevpn::api
