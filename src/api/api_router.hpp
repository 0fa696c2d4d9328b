// Routing and handlers of the HTTP API (spec 11), independent of the HTTP library: a request
// (method, raw target, body) in, a response out. Reads and writes go to the node through the
// BackendGate; every malformed request gets a 4xx with {"message": ...}, nothing throws.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/backend_gate.hpp"
#include "api/request_guard.hpp"

namespace edgevpn::api {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string target;  // raw request target: percent-encoded path and optional "?query"
  std::string body;
  // For the Host/Origin checks (request_guard.hpp).
  std::optional<std::string> host;
  std::optional<std::string> origin;
  std::optional<std::string> sec_fetch_site;
  bool unix_socket = false;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, ...)
};

inline constexpr std::string_view kJsonContentType = "application/json; charset=UTF-8";

// Serves the web UI's files for GET /app, /app/*, /assets/* and /favicon.svg; `path` is the raw
// request path without its query. nullopt answers 404.
using StaticAssetHandler = std::function<std::optional<HttpResponse>(std::string_view path)>;

// A stand-in until the web UI is embedded: /app and /app/* answer one small HTML page (no-cache)
// linking the JSON endpoints; nothing else is found.
StaticAssetHandler placeholder_assets();

struct RouterOptions {
  // How long the announce loops of PUT / DELETE / POST keep retrying (EdgeVPN: 20 s).
  std::chrono::seconds write_timeout{20};
  // Longest bucket, key or value accepted in a path segment, in bytes.
  size_t max_segment_bytes = 4096;
  // Host names besides IPs and localhost that browsers may use to reach the API.
  OriginPolicy origin_policy;
};

class ApiRouter {
 public:
  // `assets` empty = placeholder_assets().
  ApiRouter(BackendGate& gate, StaticAssetHandler assets, RouterOptions options = {});

  // Thread-safe (the gate serialises backend access); never throws.
  HttpResponse handle(const HttpRequest& request) const;

 private:
  HttpResponse route(const HttpRequest& request) const;

  BackendGate& gate_;
  StaticAssetHandler assets_;
  RouterOptions options_;
};

}  // namespace edgevpn::api
