// The path of an API request target (spec 11) as the router sees it: split at "/", each segment
// percent-decoded on its own, and the checks every path argument (bucket, key, value, peer,
// state) must pass before a handler sees it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace edgevpn::api {

struct RequestPath {
  std::string path;                   // the raw path: the target without "?query" or "#fragment"
  std::vector<std::string> segments;  // decoded; "/" gives none, "/a/" gives {"a"}
};

// `target` is the raw request target. Segments are decoded one by one, so an encoded "/" (%2F)
// stays inside its segment; one trailing slash is ignored, but "a//" keeps its empty last segment.
// Errors (kInvalidArgument, the message is the API's 400 text): the path does not start with "/",
// or a "%" is not followed by two hex digits.
util::Result<RequestPath> decode_request_path(std::string_view target);

// Path arguments are non-empty, at most `max_bytes` long and valid UTF-8 (no overlong forms, no
// surrogates). kInvalidArgument naming the first rule a segment breaks.
util::Status check_path_arguments(std::span<const std::string> arguments, size_t max_bytes);

bool valid_utf8(std::string_view text);

}  // namespace edgevpn::api
