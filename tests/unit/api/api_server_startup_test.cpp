// ApiServer start-up under load: a client that connects in a tight loop from before start() must
// get an HTTP answer to its first request, whichever phase of the start the request lands in.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "../../support/blocking_tcp.hpp"
#include "api/api_server.hpp"
#include "test_backend.hpp"

namespace edgevpn::api {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;
using testing::LedgerBackend;

// A connected unix-socket fd, or -1 while nothing listens on `path`.
int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The window that matters is between the bind (connections queue from then on) and the end of
// start(); a client spinning on connect() lands in it, so each round is a likely hit.
TEST(ApiServerStartupTest, RequestsArrivingWhileTheServerStartsAreAnswered) {
  IoThread io;
  LedgerBackend backend{io};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("edgevpn-api-startup-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "api.sock").string();
  constexpr int kRounds = 40;

  for (int round = 0; round < kRounds; ++round) {
    std::string reply;
    std::atomic<bool> give_up{false};
    std::thread client([&] {
      while (!give_up) {
        int fd = connect_unix(path);
        if (fd < 0) continue;
        if (edgevpn::testing::send_all(fd,
                                       "GET /api/summary HTTP/1.1\r\nHost: localhost\r\n"
                                       "Connection: close\r\n\r\n")) {
          reply = edgevpn::testing::read_all(fd);
        }
        ::close(fd);
        return;
      }
    });
    ApiServer server(backend, io.executor());
    auto started = server.start("unix://" + path);
    if (!started.ok()) {
      give_up = true;
      client.join();
      FAIL() << "round " << round << ": " << started.error().describe();
    }
    client.join();
    server.stop();
    ASSERT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << "round " << round << ": " << reply;
    EXPECT_NE(reply.find("\"Peers\""), std::string::npos) << reply;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace edgevpn::api
