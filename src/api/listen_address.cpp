// Parsing of the API's listen spec.
#include "api/listen_address.hpp"

#include <sys/un.h>

#include <charconv>

namespace edgevpn::api {
namespace {

constexpr std::string_view kUnixScheme = "unix://";

util::Error invalid(std::string_view spec, std::string_view why) {
  return util::make_error(
      util::Errc::kInvalidArgument,
      "invalid listen address \"" + std::string(spec) + "\": " + std::string(why));
}

}  // namespace

std::string ListenAddress::describe() const {
  if (kind == Kind::kUnix) return std::string(kUnixScheme) + path;
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

util::Result<ListenAddress> parse_listen_address(std::string_view spec) {
  ListenAddress address;
  if (spec.substr(0, kUnixScheme.size()) == kUnixScheme) {
    address.kind = ListenAddress::Kind::kUnix;
    address.path = std::string(spec.substr(kUnixScheme.size()));
    if (address.path.empty()) return invalid(spec, "empty unix socket path");
    if (address.path.find('\0') != std::string::npos) return invalid(spec, "NUL in the path");
    if (address.path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return invalid(spec, "unix socket path longer than " +
                               std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes");
    }
    return address;
  }

  size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos) return invalid(spec, "expected host:port or unix:///path");
  std::string_view host = spec.substr(0, colon);
  std::string_view port = spec.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return invalid(spec, "unbalanced [ ] around host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return invalid(spec, "an IPv6 host must be written in brackets, e.g. [::1]:8080");
  }
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '[' || c == ']') {
      return invalid(spec, "bad character in host");
    }
  }
  unsigned value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535) {
    return invalid(spec, "port must be a number from 0 to 65535");
  }
  address.host = host.empty() ? "0.0.0.0" : std::string(host);
  address.port = static_cast<uint16_t>(value);
  return address;
}

}  // namespace edgevpn::api
