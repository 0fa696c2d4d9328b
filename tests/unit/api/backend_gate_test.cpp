// BackendGate: calls run on the io thread, time out when it is busy, stop after close(), and a
// throwing backend becomes an error instead of a crash.
#include "api/backend_gate.hpp"

#include <gtest/gtest.h>

#include "test_backend.hpp"

namespace edgevpn::api {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;
using testing::LedgerBackend;

TEST(BackendGate, RunsCallsOnTheIoThread) {
  IoThread io;
  LedgerBackend backend(io);
  BackendGate gate(backend, io.executor(), 2s);
  auto result =
      gate.call([&](ApiBackend& b) { return std::make_pair(b.node_id(), io.on_thread()); });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->first, backend.self);
  EXPECT_TRUE(result->second);
  EXPECT_EQ(backend.off_thread_calls.load(), 0);
}

TEST(BackendGate, BusyIoThreadTimesOutAndTheLateClosureIsHarmless) {
  IoThread io;
  LedgerBackend backend(io);
  auto gate = std::make_unique<BackendGate>(backend, io.executor(), 100ms);
  io.pause();
  int runs = 0;
  auto result = gate->call([&runs](ApiBackend&) { return ++runs; });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kTimeout);
  gate->close();
  io.resume();
  io.run([] { return 0; });  // drains the queue: the late closure must not reach the backend
  EXPECT_EQ(runs, 0);
  auto closed = gate->call([](ApiBackend&) { return 1; });
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, util::Errc::kClosed);
}

TEST(BackendGate, ThrowingBackendIsAnError) {
  IoThread io;
  LedgerBackend backend(io);
  BackendGate gate(backend, io.executor(), 2s);
  auto result = gate.call([](ApiBackend&) -> int { throw std::runtime_error("boom"); });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kIo);
  EXPECT_EQ(result.error().message, "boom");
}

TEST(BackendGate, CloseReleasesAWaiter) {
  IoThread io;
  LedgerBackend backend(io);
  BackendGate gate(backend, io.executor(), 30s);
  io.pause();
  std::thread closer([&] {
    std::this_thread::sleep_for(100ms);
    gate.close();
  });
  auto begin = std::chrono::steady_clock::now();
  auto result = gate.call([](ApiBackend&) { return 1; });
  closer.join();
  io.resume();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kClosed);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

}  // namespace
}  // namespace edgevpn::api
