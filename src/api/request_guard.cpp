// refuse_request: Host must name this machine (an IP literal, localhost or a configured name);
// a browser's cross-site request is refused, a same-site read or write is served.
#include "api/request_guard.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace edgevpn::api {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "Host: name:port" / "[v6]:port" without the port; nullopt when malformed.
std::optional<std::string> host_name(std::string_view authority) {
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    return lower(authority.substr(0, close + 1));
  }
  auto colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;  // an IPv6 address must be bracketed
  }
  std::string name = lower(authority.substr(0, colon));
  if (!name.empty() && name.back() == '.') name.pop_back();  // "localhost." is localhost
  if (name.empty()) return std::nullopt;
  return name;
}

bool is_ip_literal(const std::string& name) {
  unsigned char buffer[16];
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') {
    return ::inet_pton(AF_INET6, name.substr(1, name.size() - 2).c_str(), buffer) == 1;
  }
  return ::inet_pton(AF_INET, name.c_str(), buffer) == 1;
}

bool is_localhost(const std::string& name) {
  static constexpr std::string_view kSuffix = ".localhost";
  return name == "localhost" ||
         (name.size() > kSuffix.size() && name.ends_with(kSuffix));
}

bool allowed_name(const std::string& name, const OriginPolicy& policy) {
  if (is_ip_literal(name) || is_localhost(name)) return true;
  return std::any_of(policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
                     [&](const std::string& allowed) { return lower(allowed) == name; });
}

bool turned_off(const OriginPolicy& policy) {
  return std::find(policy.allowed_hosts.begin(), policy.allowed_hosts.end(), "*") !=
         policy.allowed_hosts.end();
}

// "http://host:port" -> "host:port" (the authority), nullopt for "null" or a malformed origin.
std::optional<std::string> origin_authority(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  auto authority = origin.substr(scheme_end + 3);
  if (authority.empty() || authority.find('/') != std::string_view::npos) return std::nullopt;
  return lower(authority);
}

// Whether `authority` names the same host and port as `host`, an HTTP origin's default port
// being omitted on one side only.
bool same_authority(std::string_view origin, const std::string& authority, const std::string& host) {
  if (authority == host) return true;
  std::string_view scheme = origin.substr(0, origin.find("://"));
  std::string default_port = lower(scheme) == "https" ? ":443" : ":80";
  return authority + default_port == host || host + default_port == authority;
}

}  // namespace

std::optional<std::string> refuse_request(const RequestOrigin& request, const OriginPolicy& policy) {
  if (request.unix_socket || turned_off(policy)) return std::nullopt;
  const std::string hint = " (allow it with --api-allowed-host)";
  if (request.host) {
    auto name = host_name(*request.host);
    if (!name) return "malformed Host header \"" + *request.host + "\"";
    if (!allowed_name(*name, policy)) {
      return "Host \"" + *request.host + "\" does not name this API" + hint;
    }
  }
  if (request.sec_fetch_site && lower(*request.sec_fetch_site) == "cross-site") {
    return "cross-site requests are not served";
  }
  if (!request.origin) return std::nullopt;
  auto authority = origin_authority(*request.origin);
  if (!authority) return "requests from origin \"" + *request.origin + "\" are not served";
  if (request.host && same_authority(*request.origin, *authority, lower(*request.host))) {
    return std::nullopt;
  }
  auto name = host_name(*authority);
  if (name && !is_ip_literal(*name) && !is_localhost(*name) && allowed_name(*name, policy)) {
    return std::nullopt;
  }
  return "requests from origin \"" + *request.origin + "\" are not served" + hint;
}

}  // namespace edgevpn::api
