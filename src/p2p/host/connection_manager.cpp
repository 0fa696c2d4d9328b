// ConnectionManager: tracks when peers connected and trims over the high watermark.
#include "p2p/host/connection_manager.hpp"

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <unordered_map>

#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::host {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.connmgr");
  return log;
}

}  // namespace

std::vector<crypto::PeerId> select_peers_to_trim(std::vector<TrimCandidate> peers, size_t low_water,
                                                 size_t high_water, std::chrono::milliseconds grace,
                                                 Clock::time_point now) {
  std::vector<crypto::PeerId> out;
  if (peers.size() <= high_water || peers.size() <= low_water) return out;
  size_t excess = peers.size() - low_water;
  std::erase_if(peers, [&](const TrimCandidate& c) {
    return c.is_protected || now - c.connected_at < grace;
  });
  // Newest first: the connections we have invested the least in.
  std::sort(peers.begin(), peers.end(), [](const TrimCandidate& a, const TrimCandidate& b) {
    return a.connected_at > b.connected_at;
  });
  for (const auto& candidate : peers) {
    if (excess == 0) break;
    out.push_back(candidate.peer);
    --excess;
  }
  return out;
}

// Held by the facade and by every coroutine of the manager (`self`, or a caller that holds it),
// so `this` is valid in all of them. The host outlives only the facade: after each suspension a
// coroutine checks stopped_ (set by stop(), which the facade's destructor calls) before using it.
class ConnectionManager::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, Host& host, ConnectionManagerConfig config)
      : executor_(io.get_executor()),
        host_(host),
        config_(config),
        timer_(executor_),
        tasks_(std::make_unique<task::TaskGroup>(executor_, "connmgr")) {}

  void start() {
    if (running_) return;
    running_ = true;
    stopped_ = false;
    if (tasks_->cancelled()) tasks_ = std::make_unique<task::TaskGroup>(executor_, "connmgr");
    const auto now = Clock::now();
    for (const auto& peer : host_.connected_peers()) connected_at_.try_emplace(peer, now);
    if (!callbacks_installed_) {
      callbacks_installed_ = true;
      std::weak_ptr<Impl> weak = shared_from_this();
      host_.on_peer_connected([weak](const crypto::PeerId& peer) {
        if (auto self = weak.lock()) self->on_connected(peer);
      });
      host_.on_peer_disconnected([weak](const crypto::PeerId& peer) {
        if (auto self = weak.lock()) self->connected_at_.erase(peer);
      });
    }
    tasks_->spawn(check_loop(shared_from_this()), "check loop");
  }

  void stop() {
    running_ = false;
    stopped_ = true;
    timer_.cancel();
    tasks_->cancel();
  }

  void on_connected(const crypto::PeerId& peer) {
    connected_at_[peer] = Clock::now();
    if (running_ && !trimming_ && host_.connected_peers().size() > config_.high_water) {
      tasks_->spawn(trim_entry(shared_from_this()), "trim");
    }
  }

  static asio::awaitable<void> trim_entry(std::shared_ptr<Impl> self) {
    (void)co_await self->trim();
  }

  static asio::awaitable<void> check_loop(std::shared_ptr<Impl> self) {
    while (self->running_) {
      self->timer_.expires_after(self->config_.check_interval);
      asio::error_code ignored;
      co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (!self->running_) break;
      (void)co_await self->trim();
    }
  }

  asio::awaitable<size_t> trim() {
    if (trimming_) co_return 0;
    trimming_ = true;
    auto keep = shared_from_this();
    // Also when the trim ends by an exception (its task was cancelled).
    struct Done {
      ~Done() { impl->trimming_ = false; }
      Impl* impl;
    } done{this};
    const auto now = Clock::now();
    std::vector<TrimCandidate> candidates;
    for (const auto& peer : host_.connected_peers()) {
      auto it = connected_at_.try_emplace(peer, now).first;
      candidates.push_back(TrimCandidate{peer, it->second, is_protected_ && is_protected_(peer)});
    }
    const auto victims = select_peers_to_trim(std::move(candidates), config_.low_water,
                                              config_.high_water, config_.grace, now);
    if (!victims.empty()) {
      ++stats_.trims;
      logger()->info("{} peers connected (high water {}): closing {}",
                     host_.connected_peers().size(), config_.high_water, victims.size());
    }
    for (const auto& peer : victims) {
      if (stopped_) break;
      co_await host_.disconnect(peer);
      ++stats_.peers_closed;
    }
    co_return victims.size();
  }

  asio::any_io_executor executor_;
  Host& host_;
  ConnectionManagerConfig config_;
  asio::steady_timer timer_;
  std::function<bool(const crypto::PeerId&)> is_protected_;
  std::unordered_map<crypto::PeerId, Clock::time_point> connected_at_;
  ConnectionManagerStats stats_;
  bool running_ = false;
  bool trimming_ = false;
  bool callbacks_installed_ = false;
  bool stopped_ = false;  // stop() was called (or the owner is gone) and start() was not since
  // Replaced by start() after stop() cancelled it.
  std::unique_ptr<task::TaskGroup> tasks_;
};

ConnectionManager::ConnectionManager(asio::io_context& io, Host& host,
                                     ConnectionManagerConfig config)
    : impl_(std::make_shared<Impl>(io, host, config)) {}

ConnectionManager::~ConnectionManager() {
  impl_->stop();
}

void ConnectionManager::protect_if(std::function<bool(const crypto::PeerId&)> is_protected) {
  impl_->is_protected_ = std::move(is_protected);
}
void ConnectionManager::start() {
  impl_->start();
}
void ConnectionManager::stop() {
  impl_->stop();
}

asio::awaitable<size_t> ConnectionManager::trim() {
  auto impl = impl_;
  co_return co_await impl->trim();
}

const ConnectionManagerConfig& ConnectionManager::config() const {
  return impl_->config_;
}
ConnectionManagerStats ConnectionManager::stats() const {
  return impl_->stats_;
}

}  // namespace edgevpn::p2p::host
