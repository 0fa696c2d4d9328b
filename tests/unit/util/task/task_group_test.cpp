#include "util/task/task_group.hpp"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>

namespace edgevpn::task {
namespace {

using namespace std::chrono_literals;

asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration duration, bool* finished,
                                bool* aborted) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  try {
    co_await timer.async_wait(asio::use_awaitable);
    *finished = true;
  } catch (const std::system_error&) {
    *aborted = true;
    throw;
  }
}

asio::awaitable<void> fail() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  throw std::runtime_error("boom");
}

TEST(TaskGroupTest, AnEscapingExceptionIsCountedAndTheTaskEnds) {
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test");
  const auto before = failures();
  group.spawn(fail(), "failing task");
  EXPECT_EQ(group.running(), 1u);
  io.run();
  EXPECT_EQ(failures(), before + 1);
  EXPECT_EQ(group.running(), 0u);
}

TEST(TaskGroupTest, CancelStopsWaitingTasksWithoutCountingAFailure) {
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test");
  bool finished = false, aborted = false, waited = false;
  const auto before = failures();
  group.spawn(sleep_for(1h, &finished, &aborted), "sleeper");
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    asio::steady_timer tick(io, 10ms);
    co_await tick.async_wait(asio::use_awaitable);
    group.cancel();
    co_await group.wait();
    waited = true;
  }, asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(aborted);
  EXPECT_FALSE(finished);
  EXPECT_TRUE(waited);
  EXPECT_EQ(group.running(), 0u);
  EXPECT_EQ(failures(), before);
}

TEST(TaskGroupTest, WaitReturnsWhenTasksFinishOnTheirOwn) {
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test");
  bool first = false, second = false, aborted = false, waited = false;
  group.spawn(sleep_for(5ms, &first, &aborted), "short");
  group.spawn(sleep_for(20ms, &second, &aborted), "longer");
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await group.wait();
    waited = first && second;
  }, asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(waited);
  EXPECT_FALSE(aborted);
}

TEST(TaskGroupTest, AfterCancelNewTasksAreRefused) {
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test");
  group.cancel();
  bool finished = false, aborted = false;
  group.spawn(sleep_for(1ms, &finished, &aborted), "late");
  EXPECT_EQ(group.running(), 0u);
  io.run_for(1s);
  EXPECT_FALSE(finished);
  EXPECT_TRUE(group.cancelled());
}

TEST(TaskGroupTest, DestroyingTheGroupCancelsItsTasks) {
  asio::io_context io;
  bool finished = false, aborted = false;
  std::optional<TaskGroup> group(std::in_place, io.get_executor(), "test");
  group->spawn(sleep_for(1h, &finished, &aborted), "sleeper");
  io.run_for(10ms);
  group.reset();
  io.run_for(5s);
  EXPECT_TRUE(aborted);
  EXPECT_FALSE(finished);
}

TEST(TaskGroupTest, FreeSpawnCountsAFailure) {
  asio::io_context io;
  const auto before = failures();
  spawn(io.get_executor(), fail(), "one-shot");
  io.run();
  EXPECT_EQ(failures(), before + 1);
}

}  // namespace
}  // namespace edgevpn::task
