// Test helper: runs the js-libp2p interop peer (peer.mjs) as a child process and talks to it
// over JSON lines (commands on its stdin, events and results on its stdout).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace edgevpn::interop {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// Empty when node and the installed packages are there; otherwise why the tests must skip.
std::string js_peer_unavailable_reason();

class JsPeer {
 public:
  // Starts `node peer.mjs --port 0 --no-dht <extra_args>` and waits for its "ready" line.
  explicit JsPeer(std::vector<std::string> extra_args = {});
  ~JsPeer();
  JsPeer(const JsPeer&) = delete;
  JsPeer& operator=(const JsPeer&) = delete;

  bool ready() const { return !ready_event_.is_null(); }
  const Json& ready_event() const { return ready_event_; }
  std::string peer_id() const { return ready_event_.value("peerId", ""); }
  // The first TCP listen address, with /p2p/<id>.
  std::string address() const;

  // Sends {"cmd":cmd,"id":n,...fields} and waits for its result line (null on timeout).
  Json command(const std::string& cmd, Json fields = Json::object(),
               std::chrono::milliseconds timeout = 30s);
  // Sends a command without waiting; returns its id for wait_result().
  int send(const std::string& cmd, Json fields = Json::object());
  Json wait_result(int id, std::chrono::milliseconds timeout = 30s);
  // Waits for an event line matching `pred` (seen before or after the call); null on timeout.
  Json wait_event(const std::function<bool(const Json&)>& pred,
                  std::chrono::milliseconds timeout = 20s);

  // SIGKILL, as a peer that vanishes mid-stream.
  void kill_now();
  bool running() const { return pid_ > 0; }

 private:
  void reader_loop();
  void write_line(const std::string& line);

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Json> lines_;
  bool eof_ = false;
  int next_id_ = 1;
  Json ready_event_;
};

}  // namespace edgevpn::interop
