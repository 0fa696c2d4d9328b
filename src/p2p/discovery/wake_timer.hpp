// A timed wake-up for coroutines on one io_context thread: wait_until() returns when the deadline
// passes or when notify() is called, whichever comes first. Waiters re-check their condition
// afterwards; there is no suspension between checking and waiting, so no wake-up is missed.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>

namespace edgevpn::p2p::discovery {

class WakeTimer {
 public:
  explicit WakeTimer(const asio::any_io_executor& executor) : timer_(executor) {}

  asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point deadline) {
    timer_.expires_at(deadline);
    asio::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  asio::awaitable<void> wait_for(std::chrono::steady_clock::duration duration) {
    return wait_until(std::chrono::steady_clock::now() + duration);
  }
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace edgevpn::p2p::discovery
