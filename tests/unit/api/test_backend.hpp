// Test support for the API tests: an "io thread" that runs posted closures in order (as the
// node's asio io_context does) and an ApiBackend over a real ledger::LedgerState.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "api/api_backend.hpp"
#include "api/backend_gate.hpp"
#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "ledger/block.hpp"
#include "ledger/go_json.hpp"
#include "ledger/ledger_state.hpp"
#include "ledger/ownership.hpp"

namespace edgevpn::api::testing {

class IoThread {
 public:
  IoThread() : thread_([this] { run(); }) {}
  ~IoThread() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      paused_ = false;
    }
    wake_.notify_all();
    thread_.join();
  }

  void post(std::function<void()> fn) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(fn));
    }
    wake_.notify_all();
  }
  Executor executor() {
    return [this](std::function<void()> fn) { post(std::move(fn)); };
  }
  // Runs `fn` on the thread and waits for it.
  template <class Fn>
  auto run(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    post([&task] { task(); });
    return result.get();
  }
  // While paused, posted closures wait (a node whose io thread is busy).
  void pause() {
    std::lock_guard lock(mutex_);
    paused_ = true;
  }
  void resume() {
    {
      std::lock_guard lock(mutex_);
      paused_ = false;
    }
    wake_.notify_all();
  }
  bool on_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return done_ || (!paused_ && !queue_.empty()); });
      if (queue_.empty() && done_) return;
      if (paused_ && !done_) continue;
      auto fn = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool paused_ = false;
  bool done_ = false;
  std::thread thread_;
};

inline std::string peer_id(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  auto key = crypto::PrivateKey::ed25519_from_seed(seed);
  return crypto::PeerId::from_public_key(key.public_key()).to_base58();
}

struct WriteCall {
  std::string op, bucket, key, value;
  std::chrono::seconds timeout{0};
};

// Mutate its fields only on the io thread (io.run(...)) once a server is running.
class LedgerBackend : public ApiBackend {
  IoThread& io_;

 public:
  explicit LedgerBackend(IoThread& io)
      : io_(io), state(ledger::LedgerOptions{}, util::WallTime(std::chrono::system_clock::now())) {}

  util::WallTime now() const { return std::chrono::system_clock::now(); }

  std::string node_id() override { return check(), self; }
  ledger::LedgerData current_data() override { return check(), state.current_data(); }
  std::string last_block_json() override {
    return check(), ledger::encode_block(state.last_block());
  }
  int64_t ledger_index() override { return check(), state.index(); }
  std::vector<std::string> available_nodes(std::chrono::seconds max_age) override {
    return check(), state.available_nodes(max_age, now());
  }
  bool topic_joined() override { return check(), joined; }
  std::vector<std::string> topic_peers() override { return check(), topic; }
  std::vector<std::string> peerstore_peers() override { return check(), peerstore; }
  std::vector<std::string> connected_peers() override { return check(), connected; }
  void persist(std::string bucket, std::string key, std::string value_json,
               std::chrono::seconds timeout) override {
    check();
    writes.push_back({"persist", bucket, key, value_json, timeout});
    state.add(bucket, key, value_json, now());
  }
  void announce_delete(std::string bucket, std::string key, std::chrono::seconds timeout) override {
    check();
    writes.push_back({"delete", bucket, key, "", timeout});
    state.remove(bucket, key, now());
  }
  void announce_delete_bucket(std::string bucket, std::chrono::seconds timeout) override {
    check();
    writes.push_back({"delete_bucket", bucket, "", "", timeout});
    state.remove_bucket(bucket, now());
  }
  BandwidthStats bandwidth_total() override { return check(), total; }
  std::map<std::string, BandwidthStats> bandwidth_by_protocol() override {
    return check(), by_protocol;
  }
  std::map<std::string, BandwidthStats> bandwidth_by_peer() override { return check(), by_peer; }
  std::optional<bool> peergate_enabled() override { return check(), peergate; }
  bool set_peergate_enabled(bool enabled) override {
    check();
    if (!peergate) return false;
    peergate = enabled;
    return true;
  }

  // Writes a heartbeat for `peer` as the alive service would, `age` ago.
  void heartbeat(const std::string& peer, std::chrono::seconds age = std::chrono::seconds(0)) {
    state.add(ledger::kHealthcheckBucket, peer,
              ledger::go_quote(ledger::format_rfc3339_utc(now() - age)), now());
  }

  ledger::LedgerState state;
  std::string self = peer_id(1);
  bool joined = true;
  std::vector<std::string> topic, peerstore, connected;
  std::vector<WriteCall> writes;
  BandwidthStats total;
  std::map<std::string, BandwidthStats> by_protocol, by_peer;
  std::optional<bool> peergate;
  std::atomic<int> off_thread_calls{0};

 private:
  void check() {
    if (!io_.on_thread()) ++off_thread_calls;
  }
};

}  // namespace edgevpn::api::testing
