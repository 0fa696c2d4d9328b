// Throws random paths, methods and bodies (and raw garbage on the socket) at a running
// ApiServer: every answer must be a well-formed HTTP response, API errors must be JSON, and the
// server must keep serving afterwards.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <random>

#include "api/api_server.hpp"
#include "test_backend.hpp"

namespace edgevpn::api {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;
using testing::LedgerBackend;

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(engine_); }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  std::string bytes(size_t max) {
    std::string out(below(max + 1), '\0');
    for (auto& c : out) c = static_cast<char>(below(256));
    return out;
  }

 private:
  std::mt19937 engine_;
};

// Path pieces likely to reach deep into the router, plus noise.
std::string random_path(Random& random) {
  static const std::vector<std::string> tokens = {
      "api",
      "ledger",
      "dns",
      "machines",
      "summary",
      "nodes",
      "peerstore",
      "users",
      "services",
      "files",
      "blockchain",
      "metrics",
      "peer",
      "protocol",
      "peergate",
      "enable",
      "app",
      "assets",
      "favicon.svg",
      "",
      ".",
      "..",
      "%",
      "%2",
      "%zz",
      "%2F",
      "%00",
      "%ff",
      "%C3%A9",
      "12D3KooWLVu5xNdP6ymVgqEfQzfYMSbAebAAFmVJfjsMxvRgyy8y",
      "healthcheck",
      "a b",
      "é",
      "?",
      "?x=1",
      "#frag",
      std::string(300, 'k')};
  std::string path = random.below(10) == 0 ? "" : "/";
  size_t pieces = random.below(7);
  for (size_t i = 0; i < pieces; ++i) {
    if (i > 0) path += '/';
    if (random.below(8) == 0) {
      // Printable noise only: httplib's client refuses control characters in the target.
      std::string noise = random.bytes(12);
      for (auto& c : noise) c = static_cast<char>(0x21 + static_cast<unsigned char>(c) % 0x5d);
      path += noise;
    } else {
      path += random.pick(tokens);
    }
  }
  if (random.below(2) == 0) path = "/api/" + path;
  if (path.empty() || path[0] != '/') path = "/" + path;
  return path;
}

std::string random_body(Random& random) {
  static const std::vector<std::string> bodies = {
      "",
      "{}",
      "[]",
      "null",
      "{\"Regex\":\"x\",\"Records\":{\"A\":\"1.2.3.4\"}}",
      "{\"Regex\":1}",
      "{\"regex\":\"y\",\"records\":{\"aaaa\":\"::1\"}}",
      "{\"Regex\":\"z\",\"Records\":{\"TYPE65\":\"v\",\"MX\":\"10 mx.\"}}",
      "{\"Regex\":\"\\ud800\"}",
      std::string(5000, '['),
      "\"\xff\xfe\""};
  return random.below(3) == 0 ? random.bytes(200) : random.pick(bodies);
}

TEST(ApiRobustness, RandomRequestsNeverBreakTheServer) {
  IoThread io;
  LedgerBackend backend(io);
  ApiServerOptions options;
  options.backend_timeout = 2s;
  ApiServer server(backend, io.executor(), options);
  ASSERT_TRUE(server.start("127.0.0.1:0").ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_url_encode(false);
  client.set_read_timeout(10, 0);

  Random random(20240601);
  const std::vector<std::string> methods = {"GET",    "HEAD",  "POST",   "PUT",
                                            "DELETE", "PATCH", "OPTIONS"};
  int api_errors = 0;
  for (int i = 0; i < 600; ++i) {
    httplib::Request request;
    request.method = random.pick(methods);
    request.path = random_path(random);
    request.body = random_body(random);
    if (!request.body.empty()) request.set_header("Content-Type", "application/json");
    auto result = client.send(request);
    ASSERT_TRUE(result) << request.method << " " << request.path << ": "
                        << httplib::to_string(result.error());
    int status = result->status;
    EXPECT_TRUE(status == 200 || status == 301 || (status >= 400 && status < 500))
        << request.method << " " << request.path << " -> " << status << " " << result->body;
    if (status >= 400 && request.method != "HEAD") {
      ++api_errors;
      auto body = nlohmann::json::parse(result->body, nullptr, false);
      EXPECT_TRUE(body.is_object() && body["message"].is_string())
          << request.method << " " << request.path << " -> " << result->body;
    }
  }
  EXPECT_GT(api_errors, 100);  // the generator does reach the error paths

  auto summary = client.Get("/api/summary");
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->status, 200);
  EXPECT_EQ(backend.off_thread_calls.load(), 0);
}

// Raw bytes on the socket: request lines httplib cannot parse are answered 400 or dropped.
TEST(ApiRobustness, GarbageOnTheSocketIsRefused) {
  IoThread io;
  LedgerBackend backend(io);
  ApiServer server(backend, io.executor());
  ASSERT_TRUE(server.start("127.0.0.1:0").ok());

  Random random(7);
  std::vector<std::string> inputs = {
      "\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "BREW /api/summary HTTP/1.1\r\n\r\n",
      "GET /api/summary HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "POST /api/dns HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n{",
      "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n",
      "GET /api/summary HTTP/1.1\r\nX: " + std::string(20000, 'h') + "\r\n\r\n"};
  for (int i = 0; i < 20; ++i) inputs.push_back(random.bytes(300) + "\r\n\r\n");

  for (const auto& input : inputs) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    timeval timeout{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(server.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ::send(fd, input.data(), input.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    char buffer[512];
    ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
    ::close(fd);
    if (got > 0) {
      std::string head(buffer, static_cast<size_t>(got));
      EXPECT_EQ(head.substr(0, 9), "HTTP/1.1 ") << head;
      EXPECT_NE(head.substr(9, 1), "5") << head;  // never a server error
    }
  }

  httplib::Client client("127.0.0.1", server.port());
  auto summary = client.Get("/api/summary");
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->status, 200);
}

}  // namespace
}  // namespace edgevpn::api
