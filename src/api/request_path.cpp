// Request path decoding for the API router: segments, percent-decoding, argument checks.
#include "api/request_path.hpp"

#include <cstdint>
#include <optional>

namespace edgevpn::api {
namespace {

util::Error bad_path(std::string message) {
  return util::make_error(util::Errc::kInvalidArgument, std::move(message));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high << 4 | low);
    i += 2;
  }
  return out;
}

}  // namespace

util::Result<RequestPath> decode_request_path(std::string_view target) {
  RequestPath decoded;
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path.empty() || path.front() != '/') return bad_path("request path must start with /");
  decoded.path = std::string(path);

  std::string_view rest = path.substr(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    auto segment = percent_decode(rest.substr(0, slash));
    if (!segment) return bad_path("malformed percent-encoding in the request path");
    decoded.segments.push_back(std::move(*segment));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) decoded.segments.emplace_back();  // "a//" keeps its empty last segment
  }
  return decoded;
}

util::Status check_path_arguments(std::span<const std::string> arguments, size_t max_bytes) {
  for (const std::string& argument : arguments) {
    if (argument.empty()) return bad_path("empty path segment");
    if (argument.size() > max_bytes) {
      return bad_path("path segment longer than " + std::to_string(max_bytes) + " bytes");
    }
    if (!valid_utf8(argument)) return bad_path("path segment is not valid UTF-8");
  }
  return {};
}

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<uint8_t>(text[i]);
    size_t length = lead < 0x80             ? 1
                    : (lead & 0xE0) == 0xC0 ? 2
                    : (lead & 0xF0) == 0xE0 ? 3
                    : (lead & 0xF8) == 0xF0 ? 4
                                            : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = code_point << 6 | (next & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace edgevpn::api
