// Background coroutines: the one way this tree launches work it does not await. A TaskGroup is
// owned by a service; every coroutine it spawns logs (and counts) an exception that escapes it,
// stops at the group's cancel(), and is awaited by wait() on shutdown. A group and its tasks
// live on one single-threaded executor (our io_context is run by one thread).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace edgevpn::task {

// Exceptions that escaped a background coroutine since the process started (cancellation, which
// ends a task by design, is not counted).
uint64_t failures();

class TaskGroup {
 public:
  // `name` prefixes the log line of a failed task ("kad: refresh loop failed: ...").
  TaskGroup(asio::any_io_executor executor, std::string name);
  // Cancels the tasks still running; their frames end on the executor, which must outlive them.
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `task` on the group's executor. After cancel(), new tasks are refused (dropped).
  void spawn(asio::awaitable<void> task, std::string_view what);
  // Asks every running task to stop: the operation each awaits completes with operation_aborted,
  // and so does every later one. Idempotent.
  void cancel();
  // Completes when no task of the group is running.
  asio::awaitable<void> wait();

  size_t running() const;
  bool cancelled() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// For work no service owns (a one-shot at start-up, a command's reporter): logs and counts an
// escaping exception like a group does.
void spawn(asio::any_io_executor executor, asio::awaitable<void> task, std::string_view what);

}  // namespace edgevpn::task
