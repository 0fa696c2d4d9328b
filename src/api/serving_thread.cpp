// start_serving_thread: the accept loop's thread and the wait for it to serve.
#include "api/serving_thread.hpp"

#include <chrono>
#include <exception>
#include <future>
#include <string>

namespace edgevpn::api {

util::Result<std::thread> start_serving_thread(std::function<bool()> serve,
                                               const std::function<bool()>& running) {
  std::promise<bool> served;
  std::future<bool> ended = served.get_future();
  std::thread thread([serve = std::move(serve), served = std::move(served)]() mutable {
    try {
      served.set_value(serve());
    } catch (...) {
      served.set_exception(std::current_exception());
    }
  });
  while (!running()) {
    if (ended.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) continue;
    thread.join();
    std::string reason;
    try {
      reason = ended.get() ? "the accept loop ended before serving"
                           : "the accept loop failed before serving";
    } catch (const std::exception& e) {
      reason = std::string("the accept loop failed before serving: ") + e.what();
    } catch (...) {
      reason = "the accept loop failed before serving";
    }
    return util::make_error(util::Errc::kIo, std::move(reason));
  }
  return thread;
}

}  // namespace edgevpn::api
