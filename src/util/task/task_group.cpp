// TaskGroup: co_spawn with a per-task cancellation signal and a completion that logs failures.
#include "util/task/task_group.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <list>
#include <system_error>

#include "util/log/log.hpp"

namespace edgevpn::task {
namespace {

std::atomic<uint64_t> failure_count{0};

spdlog::logger& logger() {
  static auto log = edgevpn::log::get("task");
  return *log;
}

bool is_cancellation(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::system_error& e) {
    return e.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

void report(std::string_view group, std::string_view what, std::exception_ptr error) {
  if (!error || is_cancellation(error)) return;
  failure_count.fetch_add(1, std::memory_order_relaxed);
  std::string label = group.empty() ? std::string(what) : std::string(group) + ": " + std::string(what);
  log::log_failure(logger(), label, error);
}

}  // namespace

uint64_t failures() { return failure_count.load(std::memory_order_relaxed); }

struct TaskGroup::State {
  struct Task {
    asio::cancellation_signal signal;
    bool done = false;
  };

  State(asio::any_io_executor executor, std::string name)
      : executor(std::move(executor)), name(std::move(name)), idle(this->executor) {
    idle.expires_at(asio::steady_timer::time_point::max());
  }

  // Tasks that completed are erased here rather than in their completion handler, which runs
  // while the task's cancellation slot may still be in use.
  void erase_done() {
    tasks.remove_if([](const Task& task) { return task.done; });
  }

  asio::any_io_executor executor;
  std::string name;
  std::list<Task> tasks;
  size_t running = 0;
  bool cancelled = false;
  asio::steady_timer idle;
};

TaskGroup::TaskGroup(asio::any_io_executor executor, std::string name)
    : state_(std::make_shared<State>(std::move(executor), std::move(name))) {}

TaskGroup::~TaskGroup() { cancel(); }

void TaskGroup::spawn(asio::awaitable<void> task, std::string_view what) {
  auto& state = *state_;
  if (state.cancelled) return;
  state.erase_done();
  auto& entry = state.tasks.emplace_back();
  ++state.running;
  asio::co_spawn(state.executor, std::move(task),
                 asio::bind_cancellation_slot(
                     entry.signal.slot(),
                     [state = state_, &entry, what = std::string(what)](std::exception_ptr error) {
                       entry.done = true;
                       if (--state->running == 0) state->idle.cancel();
                       report(state->name, what, error);
                     }));
}

void TaskGroup::cancel() {
  auto& state = *state_;
  if (state.cancelled) return;
  state.cancelled = true;
  for (auto& entry : state.tasks) {
    if (!entry.done) entry.signal.emit(asio::cancellation_type::terminal);
  }
}

asio::awaitable<void> TaskGroup::wait() {
  auto state = state_;
  while (state->running > 0) {
    asio::error_code ignored;
    co_await state->idle.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

size_t TaskGroup::running() const { return state_->running; }

bool TaskGroup::cancelled() const { return state_->cancelled; }

void spawn(asio::any_io_executor executor, asio::awaitable<void> task, std::string_view what) {
  asio::co_spawn(std::move(executor), std::move(task),
                 [what = std::string(what)](std::exception_ptr error) { report({}, what, error); });
}

}  // namespace edgevpn::task
