// A wake-up signal for coroutines on one io_context thread: waiters re-check their condition
// after wait() returns, so a notify() without waiters is simply lost (no missed wake-ups as
// long as the condition is checked before waiting, without suspending in between).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

namespace edgevpn::p2p::host {

class AsyncSignal {
 public:
  explicit AsyncSignal(const asio::any_io_executor& executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}

  asio::awaitable<void> wait();
  // Wakes every current waiter.
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace edgevpn::p2p::host
