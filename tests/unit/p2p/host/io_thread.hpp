// Test helper: an io_context running on its own thread, with a way to run a coroutine on it and
// wait (bounded) for its result from the test thread. Shared by the host and interop tests.
#pragma once

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <future>
#include <stdexcept>
#include <thread>

namespace edgevpn::testing {

class IoThread {
 public:
  IoThread() : guard_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~IoThread() { stop(); }

  asio::io_context& io() { return io_; }

  void stop() {
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Runs `task` on the io thread; fails the test (and throws) when it takes over `timeout`.
  template <class T>
  T run(asio::awaitable<T> task, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if constexpr (std::is_void_v<T>) {
      wait(asio::co_spawn(io_, std::move(task), asio::use_future), timeout);
    } else {
      // co_spawn wants default-constructible results; util::Result is not, so park it here.
      auto slot = std::make_shared<std::optional<T>>();
      auto wrapper = [](asio::awaitable<T> inner,
                        std::shared_ptr<std::optional<T>> out) -> asio::awaitable<void> {
        out->emplace(co_await std::move(inner));
      };
      wait(asio::co_spawn(io_, wrapper(std::move(task), slot), asio::use_future), timeout);
      return std::move(**slot);
    }
  }

  // Runs a plain function on the io thread and returns its result.
  template <class F>
  auto call(F f) -> decltype(f()) {
    using R = decltype(f());
    std::packaged_task<R()> task(std::move(f));
    auto future = task.get_future();
    asio::post(io_, [&task] { task(); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      throw std::runtime_error("io call timed out");
    }
    return future.get();
  }

  // Polls `condition` on the io thread until it holds or `timeout` passes.
  bool wait_until(std::function<bool()> condition,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (call(condition)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return call(condition);
  }

 private:
  static void wait(std::future<void> future, std::chrono::milliseconds timeout) {
    if (future.wait_for(timeout) != std::future_status::ready) {
      ADD_FAILURE() << "coroutine did not finish within " << timeout.count() << " ms";
      throw std::runtime_error("io task timed out");
    }
    future.get();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// co_await sleep_for(d) inside io coroutines.
inline asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace edgevpn::testing
