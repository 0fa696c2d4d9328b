// Runs ApiBackend calls on the node's io thread for the HTTP server's worker threads: the call is
// posted through the node's executor and the worker waits for its result, at most `timeout`.
// After close() nothing reaches the backend any more and every waiter is released.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "api/api_backend.hpp"
#include "util/result.hpp"

namespace edgevpn::api {

// Runs a closure on the node's io thread (the node passes `asio::post(io, f)`).
using Executor = std::function<void(std::function<void()>)>;

class BackendGate {
 public:
  BackendGate(ApiBackend& backend, Executor post, std::chrono::milliseconds timeout);
  ~BackendGate();
  BackendGate(const BackendGate&) = delete;
  BackendGate& operator=(const BackendGate&) = delete;

  // Calls fn(backend) on the io thread and returns its value. Errors: kTimeout when the io thread
  // did not answer in time, kClosed after close(), kIo when fn threw. `fn` must own what it
  // captures: it may run after the caller has given up.
  template <class Fn>
  util::Result<std::invoke_result_t<Fn&, ApiBackend&>> call(Fn fn);

  // Releases every waiter and turns later calls (and closures still queued) into no-ops. Waits
  // for a closure that is running on the io thread right now (never call it from inside one).
  void close();
  bool closed() const;

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable changed;
    ApiBackend* backend = nullptr;  // null once closed
    int running = 0;                // closures inside the backend now
  };

  std::shared_ptr<Shared> shared_;
  Executor post_;
  std::chrono::milliseconds timeout_;
};

template <class Fn>
util::Result<std::invoke_result_t<Fn&, ApiBackend&>> BackendGate::call(Fn fn) {
  using T = std::invoke_result_t<Fn&, ApiBackend&>;
  struct Slot {
    std::optional<T> value;
    std::optional<util::Error> error;
  };
  auto slot = std::make_shared<Slot>();
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->backend == nullptr) return util::make_error(util::Errc::kClosed, "API stopped");
  }
  post_([shared = shared_, slot, fn = std::move(fn)]() mutable {
    ApiBackend* backend = nullptr;
    {
      std::lock_guard lock(shared->mutex);
      if (shared->backend == nullptr) return;
      backend = shared->backend;
      ++shared->running;
    }
    std::optional<T> value;
    std::optional<util::Error> error;
    try {
      value.emplace(fn(*backend));
    } catch (const std::exception& e) {
      error = util::make_error(util::Errc::kIo, e.what());
    } catch (...) {
      error = util::make_error(util::Errc::kIo, "unknown exception in the node");
    }
    {
      std::lock_guard lock(shared->mutex);
      --shared->running;
      slot->value = std::move(value);
      slot->error = std::move(error);
    }
    shared->changed.notify_all();
  });

  std::unique_lock lock(shared_->mutex);
  bool answered = shared_->changed.wait_for(lock, timeout_, [&] {
    return slot->value.has_value() || slot->error.has_value() || shared_->backend == nullptr;
  });
  if (slot->value) return std::move(*slot->value);
  if (slot->error) return *slot->error;
  if (!answered) return util::make_error(util::Errc::kTimeout, "the node did not answer in time");
  return util::make_error(util::Errc::kClosed, "API stopped");
}

}  // namespace edgevpn::api
