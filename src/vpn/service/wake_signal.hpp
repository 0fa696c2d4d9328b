// A wake-up for coroutines on the io_context thread: waiters re-check their condition after
// wait() returns, so a notify() without waiters is simply lost.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>

namespace edgevpn::vpn {

class WakeSignal {
 public:
  explicit WakeSignal(const asio::any_io_executor& executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}

  asio::awaitable<void> wait() {
    asio::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  // Wakes every current waiter.
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace edgevpn::vpn
