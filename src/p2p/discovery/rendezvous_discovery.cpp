// RendezvousDiscovery: the announce-and-find loop over the DHT.
#include "p2p/discovery/rendezvous_discovery.hpp"

#include <algorithm>
#include <asio/io_context.hpp>
#include <random>

#include "crypto/cid.hpp"
#include "p2p/discovery/wake_timer.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.discovery");
  return log;
}

}  // namespace

util::Bytes rendezvous_key(std::string_view rendezvous) {
  return crypto::cid_v1_raw_sha256_cid(rendezvous).multihash();
}

// Held by the facade and by every coroutine of the service (`self`, or a caller that holds it),
// so `this` is valid in all of them. The host, the DHT service, the ring and the peer callback
// outlive only the facade: after each suspension a coroutine checks stopped_ (set by stop(), which
// the facade's destructor calls) before using them.
class RendezvousDiscovery::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, host::Host& host, KadService& kad,
       std::function<std::vector<std::string>()> ring, RendezvousConfig config)
      : executor_(io.get_executor()),
        host_(host),
        kad_(kad),
        ring_(std::move(ring)),
        config_(std::move(config)),
        wake_(executor_),
        random_(std::random_device{}()),
        tasks_(std::make_unique<task::TaskGroup>(executor_, "rendezvous")) {}

  std::chrono::milliseconds backoff(uint64_t round) const {
    auto wait = config_.initial_interval;
    for (uint64_t i = 1; i < round && wait < config_.max_interval; ++i) wait *= 2;
    return std::min(wait, config_.max_interval);
  }

  std::chrono::milliseconds jittered(std::chrono::milliseconds wait) {
    if (config_.jitter <= 0) return wait;
    std::uniform_real_distribution<double> factor(1.0 - config_.jitter, 1.0 + config_.jitter);
    return std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(wait.count()) * factor(random_)));
  }

  void start() {
    if (running_) return;
    running_ = true;
    stopped_ = false;
    if (tasks_->cancelled()) tasks_ = std::make_unique<task::TaskGroup>(executor_, "rendezvous");
    tasks_->spawn(ticker(shared_from_this()), "ticker");
  }

  void stop() {
    running_ = false;
    stopped_ = true;
    wake_.notify();
    tasks_->cancel();
  }

  void trigger() {
    triggered_ = true;
    wake_.notify();
  }

  static asio::awaitable<void> ticker(std::shared_ptr<Impl> self) {
    uint64_t round = 0;
    while (self->running_) {
      self->triggered_ = false;
      co_await self->run_round();
      if (!self->running_) break;
      if (self->triggered_) {  // asked for while the round ran
        round = 0;
        continue;
      }
      ++round;
      const auto until = Clock::now() + self->jittered(self->backoff(round));
      while (self->running_ && !self->triggered_ && Clock::now() < until) {
        co_await self->wake_.wait_until(until);
      }
      if (self->triggered_) round = 0;
    }
  }

  asio::awaitable<void> connect_bootstrap() {
    std::vector<Multiaddr> missing;
    for (const auto& addr : config_.bootstrap_peers) {
      const auto id = addr.peer_id();
      if (id && host_.is_connected(*id)) continue;
      missing.push_back(addr);
    }
    if (missing.empty()) co_return;
    auto connected = co_await kad_.bootstrap(std::move(missing));
    if (!connected) logger()->debug("bootstrap: {}", connected.error().describe());
  }

  // Connects to `peer` trying its addresses in turn.
  asio::awaitable<bool> connect_to(const kad::PeerInfo& peer) {
    if (host_.is_connected(peer.id)) co_return true;
    std::vector<Multiaddr> addrs = peer.addrs;
    for (const auto& known : host_.peerstore().addrs(peer.id)) {
      if (std::find(addrs.begin(), addrs.end(), known) == addrs.end()) addrs.push_back(known);
    }
    for (const auto& addr : addrs) {
      if (!addr.without_peer_id().tcp_endpoint()) continue;
      auto connected = co_await host_.connect(addr.without_peer_id().with_peer_id(peer.id));
      if (stopped_) co_return false;
      if (connected) co_return true;
      if (host_.is_connected(peer.id)) co_return true;
    }
    co_return false;
  }

  struct Pending {
    explicit Pending(const asio::any_io_executor& executor) : wake(executor) {}
    size_t count = 0;
    WakeTimer wake;
  };

  // One provider: connect unless connected, then report. Runs concurrently with the others so a
  // stale record (a provider gone since, its record valid 48 h) does not hold up the rest.
  static asio::awaitable<void> reach(std::shared_ptr<Impl> self, std::shared_ptr<Pending> pending,
                                     kad::PeerInfo provider) {
    bool connected = self->host_.is_connected(provider.id);
    if (!connected && !provider.addrs.empty()) {
      connected = co_await self->connect_to(provider);
      if (connected) ++self->stats_.peers_connected;
    }
    if (self->callback_ && !self->stopped_) self->callback_(provider, connected);
    --pending->count;
    pending->wake.notify();
  }

  asio::awaitable<void> run_round() {
    ++stats_.rounds;
    auto self = shared_from_this();  // callbacks may drop the owner mid-round
    co_await connect_bootstrap();
    if (stopped_) co_return;
    for (const auto& rendezvous : ring_()) {
      const auto key = rendezvous_key(rendezvous);
      auto provided = co_await kad_.provide(key);
      if (stopped_) co_return;
      if (!provided) {
        ++stats_.provides_failed;
        logger()->debug("provide {}: {}", rendezvous, provided.error().describe());
      }
      auto providers = co_await kad_.find_providers(key, config_.provider_limit);
      if (stopped_) co_return;
      if (!providers) {
        logger()->debug("find providers {}: {}", rendezvous, providers.error().describe());
        continue;
      }
      auto pending = std::make_shared<Pending>(executor_);
      for (const auto& provider : *providers) {
        if (provider.id == host_.peer_id()) continue;
        ++stats_.peers_found;
        ++pending->count;
        tasks_->spawn(reach(self, pending, provider), "reach provider");
      }
      // stop() cancels the reach tasks: they no longer count down.
      while (pending->count > 0 && !stopped_) {
        co_await pending->wake.wait_for(std::chrono::seconds(1));
      }
    }
  }

  asio::any_io_executor executor_;
  host::Host& host_;
  KadService& kad_;
  std::function<std::vector<std::string>()> ring_;
  RendezvousConfig config_;
  WakeTimer wake_;
  std::mt19937_64 random_;
  RendezvousPeerCallback callback_;
  RendezvousStats stats_;
  bool running_ = false;
  bool triggered_ = false;
  bool stopped_ = false;  // stop() was called (or the owner is gone) and start() was not since
  // Replaced by start() after stop() cancelled it.
  std::unique_ptr<task::TaskGroup> tasks_;
};

RendezvousDiscovery::RendezvousDiscovery(asio::io_context& io, host::Host& host, KadService& kad,
                                         std::function<std::vector<std::string>()> ring,
                                         RendezvousConfig config)
    : impl_(std::make_shared<Impl>(io, host, kad, std::move(ring), std::move(config))) {}

RendezvousDiscovery::~RendezvousDiscovery() {
  impl_->stop();
}

void RendezvousDiscovery::on_peer_found(RendezvousPeerCallback callback) {
  impl_->callback_ = std::move(callback);
}
void RendezvousDiscovery::start() {
  impl_->start();
}
void RendezvousDiscovery::stop() {
  impl_->stop();
}
void RendezvousDiscovery::trigger() {
  impl_->trigger();
}

asio::awaitable<void> RendezvousDiscovery::run_round() {
  auto impl = impl_;
  co_await impl->run_round();
}

std::chrono::milliseconds RendezvousDiscovery::backoff(uint64_t round) const {
  return impl_->backoff(round);
}
RendezvousStats RendezvousDiscovery::stats() const {
  return impl_->stats_;
}

}  // namespace edgevpn::p2p::discovery
