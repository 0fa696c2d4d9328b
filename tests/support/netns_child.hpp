// Test helper shared by the unit and interop tests: runs a body in a forked child that first unshares into a network namespace of its
// own, so multicast and test interfaces never touch the host's network. The child reports through
// a pipe and its exit code ("" = success, "SKIP: ..." = skip).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

namespace edgevpn::testing {

struct ChildReport {
  bool skipped = false;
  bool ok = false;
  std::string message;
};

// `extra_flags` adds namespaces to unshare (e.g. CLONE_NEWNS to bind-mount a resolv.conf).
inline ChildReport run_in_own_netns(const std::function<std::string()>& body,
                                    std::chrono::seconds timeout = std::chrono::seconds(30),
                                    int extra_flags = 0) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {false, false, "pipe failed"};
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return {false, false, "fork failed"};
  if (pid == 0) {
    ::close(fds[0]);
    std::string result;
    if (unshare(CLONE_NEWNET | extra_flags) != 0) {
      result = std::string("SKIP: cannot create a network namespace: ") + std::strerror(errno);
    } else {
      result = body();
    }
    size_t written = 0;
    while (written < result.size()) {
      const ssize_t n = ::write(fds[1], result.data() + written, result.size() - written);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    _exit(result.empty() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd entry{fds[0], POLLIN, 0};
    if (poll(&entry, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) return {false, false, "child timed out: " + output};
  if (output.rfind("SKIP:", 0) == 0) return {true, false, output};
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return {false, ok, ok ? "" : (output.empty() ? "child crashed" : output)};
}

}  // namespace edgevpn::testing

#define EDGEVPN_IN_OWN_NETNS(...)                                                     \
  do {                                                                                \
    auto report_ = ::edgevpn::testing::run_in_own_netns(__VA_ARGS__); \
    if (report_.skipped) GTEST_SKIP() << report_.message;                             \
    EXPECT_TRUE(report_.ok) << report_.message;                                       \
  } while (0)
