// Who may talk to the API from a browser. A page on another site can make the browser send
// requests to 127.0.0.1:8080 (a cross-origin `text/plain` POST needs no preflight), and a name it
// controls can be re-pointed at 127.0.0.1 (DNS rebinding): both reach a node's API unless the
// server checks `Host` and `Origin`. Requests over a unix socket come from local processes only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgevpn::api {

struct RequestOrigin {
  std::string method;
  std::optional<std::string> host;            // the Host header
  std::optional<std::string> origin;          // the Origin header
  std::optional<std::string> sec_fetch_site;  // the Sec-Fetch-Site header
  bool unix_socket = false;
};

struct OriginPolicy {
  // Host names (not IPs, which are always allowed with localhost) that may name this API in
  // `Host` and `Origin`, e.g. "edgevpn.lan"; "*" turns the checks off.
  std::vector<std::string> allowed_hosts;
};

// nullopt when the request may be served, else why not (answered 403).
std::optional<std::string> refuse_request(const RequestOrigin& request, const OriginPolicy& policy);

}  // namespace edgevpn::api
