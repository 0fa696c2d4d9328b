// start_serving_thread: returns the thread once the loop serves, and reports a loop that fails,
// ends or throws before it serves instead of waiting for it forever.
#include "api/serving_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace edgevpn::api {
namespace {

TEST(ServingThread, ReturnsTheThreadOnceTheLoopRuns) {
  std::atomic<bool> running{false}, release{false};
  auto started = start_serving_thread(
      [&] {
        running = true;
        while (!release) std::this_thread::yield();
        return true;
      },
      [&] { return running.load(); });
  ASSERT_TRUE(started.ok()) << started.error().describe();
  EXPECT_TRUE(started->joinable());
  release = true;
  started->join();
}

TEST(ServingThread, ALoopThatFailsBeforeServingIsAnError) {
  auto started = start_serving_thread([] { return false; }, [] { return false; });
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, util::Errc::kIo);
  EXPECT_EQ(started.error().message, "the accept loop failed before serving");
}

TEST(ServingThread, ALoopThatEndsBeforeServingIsAnError) {
  auto started = start_serving_thread([] { return true; }, [] { return false; });
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message, "the accept loop ended before serving");
}

TEST(ServingThread, ALoopThatThrowsIsAnErrorWithItsReason) {
  auto started = start_serving_thread(
      []() -> bool { throw std::runtime_error("cannot create worker threads"); },
      [] { return false; });
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message,
            "the accept loop failed before serving: cannot create worker threads");
}

}  // namespace
}  // namespace edgevpn::api
