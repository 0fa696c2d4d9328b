// ApiServer on cpp-httplib (the only file that includes it): binding with clear errors, the
// unix-socket housekeeping of EdgeVPN (stale file removal, mode), and the glue from httplib's
// request to ApiRouter.
#include "api/api_server.hpp"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "api/api_views.hpp"
#include "api/listen_address.hpp"
#include "api/serving_thread.hpp"
#include "util/log/log.hpp"

namespace edgevpn::api {
namespace {

constexpr unsigned kDefaultUnixMode = 0660;
constexpr const char* kUnixModeVariable = "APILISTENUNIXMODE";
// Idle keep-alive connections hold a worker thread this long; it also bounds stop().
constexpr time_t kKeepAliveSeconds = 2;

util::Error io_error(std::string message) {
  return util::make_error(util::Errc::kIo, std::move(message));
}

const char* reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 403: return "Forbidden";
    case 405: return "Method Not Allowed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Bad Request" : "Internal Server Error";
  }
}

util::Result<unsigned> unix_socket_mode(const std::optional<unsigned>& configured) {
  if (configured) return *configured & 0777u;
  const char* text = std::getenv(kUnixModeVariable);
  if (text == nullptr || *text == '\0') return kDefaultUnixMode;
  char* end = nullptr;
  errno = 0;
  unsigned long mode = std::strtoul(text, &end, 8);
  if (errno != 0 || *end != '\0' || mode > 0777 || text[0] == '-' || text[0] == '+') {
    return util::make_error(util::Errc::kInvalidArgument,
                            std::string(kUnixModeVariable) +
                                " must be an octal mode such as 0660, not \"" + text + "\"");
  }
  return static_cast<unsigned>(mode);
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), std::min(path.size(), sizeof(address.sun_path) - 1));
  return address;
}

// A socket file left by a process that died is removed; a live server's socket, or any other
// kind of file, is left alone and reported.
util::Status clear_stale_socket(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return {};
  if (!S_ISSOCK(info.st_mode)) {
    return io_error("cannot listen on unix://" + path + ": the path exists and is not a socket");
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return io_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un address = unix_address(path);
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  if (live) {
    return io_error("cannot listen on unix://" + path + ": a running server is using the socket");
  }
  if (::unlink(path.c_str()) != 0) {
    return io_error("cannot remove stale socket " + path + ": " + std::strerror(errno));
  }
  return {};
}

// httplib reports a failed bind as `false`; binding once more by hand recovers the reason.
std::string bind_failure_reason(const ListenAddress& listen) {
  if (listen.kind == ListenAddress::Kind::kUnix) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::strerror(errno);
    sockaddr_un address = unix_address(listen.path);
    int result = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    int error = errno;
    ::close(fd);
    if (result == 0) {
      ::unlink(listen.path.c_str());
      return "bind failed";
    }
    return std::strerror(error);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  std::string port = std::to_string(listen.port);
  if (int status = ::getaddrinfo(listen.host.c_str(), port.c_str(), &hints, &found); status != 0) {
    return std::string("cannot resolve the host: ") + ::gai_strerror(status);
  }
  std::string reason = "bind failed";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    int result = ::bind(fd, ai->ai_addr, ai->ai_addrlen);
    int error = errno;
    ::close(fd);
    if (result != 0) {
      reason = std::strerror(error);
      break;
    }
  }
  ::freeaddrinfo(found);
  return reason;
}

std::optional<std::string> header(const httplib::Request& request, const char* name) {
  if (!request.has_header(name)) return std::nullopt;
  return request.get_header_value(name);
}

void serve(const ApiRouter& router, const httplib::Request& request, std::string body,
           bool unix_socket, httplib::Response& response) {
  HttpRequest in;
  in.method = request.method;
  in.target = request.target;
  in.body = std::move(body);
  in.host = header(request, "Host");
  in.origin = header(request, "Origin");
  in.sec_fetch_site = header(request, "Sec-Fetch-Site");
  in.unix_socket = unix_socket;
  HttpResponse out = router.handle(in);
  response.status = out.status;
  for (auto& [name, value] : out.headers) response.set_header(name, value);
  if (!out.content_type.empty()) response.set_content(std::move(out.body), out.content_type);
}

}  // namespace

class ApiServer::Impl {
 public:
  Impl(ApiBackend& backend, Executor post, ApiServerOptions options)
      : backend_(backend), post_(std::move(post)), options_(std::move(options)) {}

  util::Status start(std::string_view spec);
  void stop();

  ApiBackend& backend_;
  Executor post_;
  ApiServerOptions options_;
  std::shared_ptr<spdlog::logger> log_ = log::get("api");

  mutable std::mutex mutex_;  // guards the members below against concurrent start/stop/getters
  std::unique_ptr<BackendGate> gate_;
  std::unique_ptr<ApiRouter> router_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  ListenAddress address_;
  int port_ = 0;
  bool own_socket_file_ = false;
};

util::Status ApiServer::Impl::start(std::string_view spec) {
  std::lock_guard lock(mutex_);
  if (server_) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "the API is already listening on " + address_.describe());
  }
  EDGEVPN_TRY_ASSIGN(address, parse_listen_address(spec));
  unsigned mode = kDefaultUnixMode;
  if (address.kind == ListenAddress::Kind::kUnix) {
    EDGEVPN_TRY_ASSIGN(wanted_mode, unix_socket_mode(options_.unix_socket_mode));
    mode = wanted_mode;
    EDGEVPN_TRY(clear_stale_socket(address.path));
  }

  auto gate = std::make_unique<BackendGate>(backend_, post_, options_.backend_timeout);
  auto router = std::make_unique<ApiRouter>(*gate, options_.assets, options_.router);
  auto server = std::make_unique<httplib::Server>();
  size_t workers = static_cast<size_t>(std::max(1, options_.worker_threads));
  // httplib owns and deletes the queue it gets from this factory.
  server->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server share the port.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->set_payload_max_length(options_.max_body_bytes);
  server->set_keep_alive_timeout(kKeepAliveSeconds);
  server->set_read_timeout(5, 0);
  server->set_write_timeout(5, 0);
  // Connections queue from the bind on, and the workers answer them as soon as the accept loop
  // runs, before start() has stored the router in router_: the handlers hold the router itself.
  // It outlives the workers (stop() joins them before it resets router_).
  const ApiRouter* serving = router.get();
  const bool unix_socket = address.kind == ListenAddress::Kind::kUnix;
  auto handler = [serving, unix_socket](const httplib::Request& request,
                                        httplib::Response& response) {
    serve(*serving, request, request.body, unix_socket, response);
  };
  server->Get(".*", handler);
  server->Post(".*", handler);
  // PUT and DELETE carry everything in the path; `curl -X PUT URL` sends neither a body nor a
  // Content-Length, which httplib would wait on and refuse. Read a body only when announced.
  const size_t max_body = options_.max_body_bytes;
  auto bodiless = [serving, max_body, unix_socket](const httplib::Request& request,
                                                   httplib::Response& response,
                                                   const httplib::ContentReader& reader) {
    std::string body;
    if (request.has_header("Content-Length") || request.has_header("Transfer-Encoding")) {
      bool too_large = false;
      reader([&](const char* data, size_t length) {
        body.append(data, length);
        too_large = body.size() > max_body;
        return !too_large;
      });
      if (too_large) {
        response.status = 413;
        response.set_content(message_json(reason_phrase(413)), std::string(kJsonContentType));
        return;
      }
    }
    serve(*serving, request, std::move(body), unix_socket, response);
  };
  server->Put(".*", bodiless);
  server->Delete(".*", bodiless);
  server->Patch(".*", handler);
  server->Options(".*", handler);
  // Errors httplib produces itself (unknown method, URI or body too long, ...) as JSON too.
  server->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        response.set_content(message_json(reason_phrase(response.status)),
                             std::string(kJsonContentType));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server->set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
        response.status = 500;
        response.set_content(message_json("internal error"), std::string(kJsonContentType));
      });

  bool bound = false;
  int port = 0;
  if (address.kind == ListenAddress::Kind::kUnix) {
    server->set_address_family(AF_UNIX);
    bound = server->bind_to_port(address.path, 80);  // the port is ignored for AF_UNIX
    if (bound && ::chmod(address.path.c_str(), mode) != 0) {
      int error = errno;
      ::unlink(address.path.c_str());
      return io_error("cannot set mode of " + address.path + ": " + std::strerror(error));
    }
  } else if (address.port == 0) {
    port = server->bind_to_any_port(address.host);
    bound = port > 0;
  } else {
    bound = server->bind_to_port(address.host, address.port);
    port = address.port;
  }
  if (!bound) {
    return io_error("cannot listen on " + address.describe() + ": " + bind_failure_reason(address));
  }
  address.port = static_cast<uint16_t>(port);

  httplib::Server* raw = server.get();
  // stop() only interrupts a server that has entered its accept loop: wait for it to run.
  auto thread = start_serving_thread([raw] { return raw->listen_after_bind(); },
                                     [raw] { return raw->is_running(); });
  if (!thread.ok()) {
    if (address.kind == ListenAddress::Kind::kUnix) ::unlink(address.path.c_str());
    return io_error("cannot serve on " + address.describe() + ": " + thread.error().message);
  }

  gate_ = std::move(gate);
  router_ = std::move(router);
  server_ = std::move(server);
  thread_ = std::move(*thread);
  address_ = std::move(address);
  port_ = port;
  own_socket_file_ = address_.kind == ListenAddress::Kind::kUnix;
  log_->info("API listening on {}", address_.describe());
  return {};
}

void ApiServer::Impl::stop() {
  std::lock_guard lock(mutex_);
  if (!server_) return;
  gate_->close();  // requests waiting for the node answer 503 now
  server_->stop();
  if (thread_.joinable()) thread_.join();
  if (own_socket_file_) ::unlink(address_.path.c_str());
  log_->info("API stopped on {}", address_.describe());
  server_.reset();
  router_.reset();
  gate_.reset();
  port_ = 0;
  own_socket_file_ = false;
}

ApiServer::ApiServer(ApiBackend& backend, Executor post, ApiServerOptions options)
    : impl_(std::make_unique<Impl>(backend, std::move(post), std::move(options))) {}

ApiServer::~ApiServer() {
  stop();
}

util::Status ApiServer::start(std::string_view listen) {
  return impl_->start(listen);
}

void ApiServer::stop() {
  impl_->stop();
}

bool ApiServer::running() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->server_ != nullptr;
}

std::string ApiServer::endpoint() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->server_ ? impl_->address_.describe() : std::string();
}

int ApiServer::port() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->server_ && impl_->address_.kind == ListenAddress::Kind::kTcp ? impl_->port_ : 0;
}

}  // namespace edgevpn::api
