// Runs a test body in a forked child inside a network namespace of its own (unshare), so the
// host's interfaces are never touched; skipped when /dev/net/tun is not usable.
#pragma once

#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>

#include "../../../support/netns_child.hpp"

namespace edgevpn::vpn::testing {

using ChildReport = ::edgevpn::testing::ChildReport;

// `body` returns "" on success, else what went wrong ("SKIP: ..." to skip).
inline ChildReport run_in_fresh_netns(const std::function<std::string()>& body,
                                      std::chrono::seconds timeout = std::chrono::seconds(30)) {
  return ::edgevpn::testing::run_in_own_netns(
      [&body]() -> std::string {
        if (access("/dev/net/tun", R_OK | W_OK) != 0) {
          return "SKIP: /dev/net/tun is missing or not accessible";
        }
        return body();
      },
      timeout);
}

}  // namespace edgevpn::vpn::testing

// Runs the body in a fresh namespace and turns the child's report into a gtest outcome.
#define EDGEVPN_IN_FRESH_NETNS(...)                                          \
  do {                                                                       \
    auto report_ = ::edgevpn::vpn::testing::run_in_fresh_netns(__VA_ARGS__); \
    if (report_.skipped) GTEST_SKIP() << report_.message;                    \
    EXPECT_TRUE(report_.ok) << report_.message;                              \
  } while (0)
