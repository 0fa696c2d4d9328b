// The HTTP server of the API (spec 11) on a TCP address or a unix socket, its own worker threads
// (cpp-httplib), and every backend call posted to the node's io thread through a BackendGate.
//
//   ApiServer server(node_backend, [&io](auto f) { asio::post(io, std::move(f)); });
//   if (auto started = server.start("127.0.0.1:8080"); !started.ok()) ... started.error()
//   ...
//   server.stop();  // before the backend goes away
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_backend.hpp"
#include "api/api_router.hpp"
#include "api/backend_gate.hpp"
#include "util/result.hpp"

namespace edgevpn::api {

struct ApiServerOptions {
  // How long a request waits for the io thread before answering 503.
  std::chrono::milliseconds backend_timeout{5000};
  RouterOptions router;
  // The web UI's files; empty = placeholder_assets().
  StaticAssetHandler assets;
  // Mode of a unix socket; nullopt = $APILISTENUNIXMODE (octal) or 0660.
  std::optional<unsigned> unix_socket_mode;
  size_t max_body_bytes = 1 << 20;  // larger bodies get 413
  int worker_threads = 8;           // idle keep-alive connections each hold one for up to 2 s
};

class ApiServer {
 public:
  // `backend` must outlive the server (or at least its stop()).
  ApiServer(ApiBackend& backend, Executor post, ApiServerOptions options = {});
  ~ApiServer();  // stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds `listen` ("host:port", ":port", "[v6]:port", "unix:///path") and starts serving.
  // Errors: kInvalidArgument (bad spec, bad APILISTENUNIXMODE, already started), kIo (the
  // address is in use, the socket path belongs to something else, permission denied, ...).
  util::Status start(std::string_view listen);
  // Stops accepting, releases requests waiting for the node (they answer 503), joins the threads
  // and removes the unix socket file. Idempotent.
  void stop();

  bool running() const;
  // What is being served: "127.0.0.1:43117" (the actual port when 0 was asked) or
  // "unix:///path"; "" when not running.
  std::string endpoint() const;
  // The bound TCP port; 0 for a unix socket or when not running.
  int port() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgevpn::api
