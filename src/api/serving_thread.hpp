// Starting a blocking accept loop (cpp-httplib's listen_after_bind) on a thread of its own, and
// knowing when it serves: the server can only be stopped once its loop has started, and a loop
// that fails at once must be reported, not waited for.
#pragma once

#include <functional>
#include <thread>

#include "util/result.hpp"

namespace edgevpn::api {

// Runs `serve` (returns false when the loop failed) on a new thread and returns that thread once
// `running()` is true. Error (kIo) when `serve` returned or threw before that; the thread is
// joined then. `running` is polled every millisecond.
util::Result<std::thread> start_serving_thread(std::function<bool()> serve,
                                               const std::function<bool()>& running);

}  // namespace edgevpn::api
