// JsPeer: spawns peer.mjs with pipes, collects its JSON lines on a reader thread.
#include "js_peer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

extern char** environ;

namespace edgevpn::interop {
namespace {

std::string interop_dir() { return EDGEVPN_INTEROP_DIR; }

bool node_on_path() { return std::system("node --version >/dev/null 2>&1") == 0; }

}  // namespace

std::string js_peer_unavailable_reason() {
  if (!node_on_path()) return "node is not installed (needed for the js-libp2p interop peer)";
  if (!std::filesystem::exists(interop_dir() + "/node_modules/libp2p")) {
    return "tests/interop/node_modules missing: run `npm ci` in tests/interop "
           "(scripts/install-deps.sh does it)";
  }
  return {};
}

JsPeer::JsPeer(std::vector<std::string> extra_args) {
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) return;
  std::vector<std::string> args = {"node", interop_dir() + "/peer.mjs", "--port", "0", "--no-dht",
                                   "--host", "127.0.0.1"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (rc != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    return;
  }
  pid_ = pid;
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  reader_ = std::thread([this] { reader_loop(); });
  ready_event_ = wait_event([](const Json& j) { return j.value("event", "") == "ready"; }, 30s);
}

JsPeer::~JsPeer() {
  if (pid_ > 0) {
    // Close stdin (the peer stops on EOF), then make sure it is gone.
    if (stdin_fd_ >= 0) close(stdin_fd_);
    stdin_fd_ = -1;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(100ms);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (reader_.joinable()) reader_.join();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void JsPeer::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string JsPeer::address() const {
  for (const auto& addr : ready_event_.value("addrs", Json::array())) {
    const std::string text = addr.get<std::string>();
    if (text.rfind("/ip4/", 0) == 0 && text.find("/tcp/") != std::string::npos) return text;
  }
  return {};
}

void JsPeer::reader_loop() {
  std::string pending;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      Json parsed = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) continue;
      std::lock_guard lock(mutex_);
      lines_.push_back(std::move(parsed));
      cv_.notify_all();
    }
  }
  std::lock_guard lock(mutex_);
  eof_ = true;
  cv_.notify_all();
}

void JsPeer::write_line(const std::string& line) {
  std::string data = line + "\n";
  size_t off = 0;
  while (off < data.size() && stdin_fd_ >= 0) {
    const ssize_t n = ::write(stdin_fd_, data.data() + off, data.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

int JsPeer::send(const std::string& cmd, Json fields) {
  int id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
  }
  fields["cmd"] = cmd;
  fields["id"] = id;
  write_line(fields.dump());
  return id;
}

Json JsPeer::wait_result(int id, std::chrono::milliseconds timeout) {
  return wait_event(
      [id](const Json& j) { return j.value("event", "") == "result" && j.value("id", -1) == id; },
      timeout);
}

Json JsPeer::command(const std::string& cmd, Json fields, std::chrono::milliseconds timeout) {
  return wait_result(send(cmd, std::move(fields)), timeout);
}

Json JsPeer::wait_event(const std::function<bool(const Json&)>& pred,
                        std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  size_t checked = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (; checked < lines_.size(); ++checked) {
      if (pred(lines_[checked])) return lines_[checked];
    }
    if (eof_) return nullptr;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && checked == lines_.size()) {
      return nullptr;
    }
  }
}

}  // namespace edgevpn::interop
