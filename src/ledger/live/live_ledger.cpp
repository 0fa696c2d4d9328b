// The live ledger: LedgerState (merge rules), TopicSchedule (rotation), SyncPolicy (when to
// publish) and LedgerStore (persistence) driven by asio timers and GossipSub.
#include "ledger/live/live_ledger.hpp"

#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <random>
#include <set>

#include "crypto/random.hpp"
#include "ledger/backoff_ticker.hpp"
#include "ledger/go_json.hpp"
#include "ledger/ledger_store.hpp"
#include "p2p/gossip/pubsub_service.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::ledger::live {
namespace {

using namespace std::chrono_literals;

// API writes (spec 6.7): Persist and the delete loops tick at most every 5 s.
constexpr std::chrono::seconds kApiWriteInterval{5};

util::WallTime wall_now() { return std::chrono::system_clock::now(); }
util::SteadyTime steady_now() { return std::chrono::steady_clock::now(); }

std::shared_ptr<spdlog::logger> logger() {
  static auto instance = log::get("ledger");
  return instance;
}

uint64_t random_seed() {
  uint64_t seed = 0;
  for (auto b : crypto::random_bytes(8)) seed = (seed << 8) | b;
  return seed;
}

}  // namespace

class LiveLedger::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, p2p::gossip::PubsubService& pubsub, crypto::PrivateKey key,
       LiveLedgerConfig config, TopicSchedule schedule)
      : io_(io),
        pubsub_(pubsub),
        config_(std::move(config)),
        schedule_(std::move(schedule)),
        self_id_(crypto::PeerId::from_public_key(key.public_key()).to_base58()),
        state_(config_.ledger, wall_now()),
        random_(random_seed()),
        sync_(config_.sync, steady_now(), [this] { return uniform(); }),
        sync_timer_(std::make_shared<asio::steady_timer>(io)),
        rotation_timer_(std::make_shared<asio::steady_timer>(io)),
        tasks_(io.get_executor(), "ledger") {
    if (config_.ledger.mode != OwnershipMode::kOff) state_.set_signer(Signer::from_key(key));
    snapshot_ = schedule_.at(wall_now());
  }

  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

  void start() {
    if (running_) return;
    running_ = true;
    if (!config_.state_dir.empty()) load();
    std::weak_ptr<Impl> weak = weak_from_this();
    pubsub_.on_topic_peer([weak](const std::string& topic, const crypto::PeerId&, bool joined) {
      auto self = weak.lock();
      if (!self || !self->running_ || !joined || topic != self->snapshot_.current.topic) return;
      self->sync_.on_peer_joined(steady_now());
      self->sync_timer_->cancel();
    });
    refresh_topics();
    tasks_.spawn(sync_loop(weak, sync_timer_), "sync loop");
    tasks_.spawn(rotation_loop(weak, rotation_timer_), "rotation loop");
    if (config_.heartbeat) {
      announce_every(config_.heartbeat_interval, [](Impl& self) {
        if (self.state_.add(kHealthcheckBucket, self.self_id_,
                            go_quote(format_rfc3339_utc(wall_now())), wall_now())) {
          self.after_heartbeat();
        }
        return true;
      });
      tasks_.spawn(scrub_loop(weak), "scrub loop");
    }
  }

  void stop() {
    if (!running_) return;
    running_ = false;
    tasks_.cancel();  // the loops and the announce loops
    for (const auto& topic : joined_) pubsub_.leave(topic);
    joined_.clear();
  }

  void load() {
    auto store = LedgerStore::open(config_.state_dir);
    if (!store) {
      logger()->warn("ledger state {}: {}; keeping the ledger in memory", config_.state_dir,
                     store.error().describe());
      return;
    }
    store_ = std::move(*store);
    auto loaded = store_->load_last();
    for (const auto& problem : loaded.problems) logger()->warn("ledger state: {}", problem);
    if (loaded.block) {
      state_.restore(std::move(*loaded.block));
      logger()->info("ledger state loaded from {} at height {}", config_.state_dir,
                     state_.index());
      notify();
    }
  }

  // Joins the epoch's topics and leaves the others.
  void refresh_topics() {
    snapshot_ = schedule_.at(wall_now());
    const std::set<std::string> wanted(snapshot_.topics.begin(), snapshot_.topics.end());
    for (auto it = joined_.begin(); it != joined_.end();) {
      if (wanted.count(*it) == 0) {
        pubsub_.leave(*it);
        it = joined_.erase(it);
      } else {
        ++it;
      }
    }
    std::weak_ptr<Impl> weak = weak_from_this();
    for (const auto& topic : wanted) {
      if (joined_.count(topic) != 0) continue;
      joined_.insert(topic);
      pubsub_.join(topic, [weak](const p2p::pubsub::MessageEvent& event) {
        if (auto self = weak.lock()) self->on_message(event);
      });
    }
  }

  void on_message(const p2p::pubsub::MessageEvent& event) {
    if (!running_) return;
    if (config_.accept_sender && !config_.accept_sender(event.received_from)) {
      ++rejected_senders_;
      return;
    }
    auto decoded = decode_gossip_block(event.data, snapshot_.seal_keys(), config_.max_message_size);
    stats_.gossip.count(decoded);
    if (!decoded) {
      logger()->debug("ledger message from {} dropped: {}", event.received_from.to_base58(),
                      decoded.error().describe());
      return;
    }
    const Block& theirs = decoded->block;
    auto outcome = state_.receive(theirs, wall_now());
    for (const auto& violation : outcome.violations) {
      // Older copies of an entry are normal in gossip (a peer re-sends what it merged earlier);
      // only foreign writes deserve an operator's attention.
      const bool stale = violation.reason.rfind("rollback", 0) == 0 ||
                         violation.reason.rfind("stale", 0) == 0;
      logger()->log(stale ? spdlog::level::debug : spdlog::level::warn, "{}",
                    violation.describe());
    }
    logger()->trace("ledger at height {} from {}: {}", theirs.index,
                    event.received_from.to_base58(), outcome.changed ? "merged" : "nothing new");
    if (outcome.changed) {
      ++stats_.merges;
      after_change();
    }
    sync_.on_received(theirs, state_.last_block(), steady_now());
    sync_timer_->cancel();
  }

  // The last block changed: persist, tell the listeners.
  void after_change() {
    if (store_) {
      if (auto status = store_->save(state_.last_block()); !status) {
        logger()->warn("ledger state: {}", status.error().describe());
      }
    }
    notify();
  }

  void notify() {
    std::erase_if(change_callbacks_, [](const auto& weak) { return weak.expired(); });
    const auto callbacks = change_callbacks_;  // a callback may subscribe or write
    for (const auto& weak : callbacks) {
      if (auto callback = weak.lock()) (*callback)();
    }
  }

  // A local write changed the ledger: broadcast it now.
  void after_local_change() {
    after_change();
    sync_.on_local_change(steady_now());
    maybe_publish();
  }

  // Our heartbeat was refreshed: it rides on the next publish, or goes out on its own within
  // the sync policy's background interval (well inside the ownership liveness TTL).
  void after_heartbeat() {
    after_change();
    sync_.on_background_change(steady_now());
    sync_timer_->cancel();
  }

  void maybe_publish() {
    if (!running_) return;
    const auto now = steady_now();
    if (!sync_.due(now)) return;
    const auto reason = sync_.reason(now);
    auto data = encode_gossip_block(state_.last_block(), snapshot_.current.seal_key,
                                    config_.max_message_size);
    sync_.on_published(now);
    if (!data) {
      logger()->warn("ledger not published: {}", data.error().describe());
      return;
    }
    auto id = pubsub_.publish(snapshot_.current.topic, *data);
    if (!id) {
      logger()->warn("ledger not published: {}", id.error().describe());
      return;
    }
    ++stats_.published;
    logger()->trace("published ledger at height {} ({})", state_.index(),
                    sync_reason_name(reason));
  }

  // The loops hold the Impl weakly, locked between suspensions, and their timer strongly (the
  // Impl cancels it to wake them). stop() cancels them all through tasks_.
  static asio::awaitable<void> sync_loop(std::weak_ptr<Impl> weak,
                                         std::shared_ptr<asio::steady_timer> timer) {
    while (true) {
      {
        auto self = weak.lock();
        if (!self || !self->running_) co_return;
        self->maybe_publish();
        timer->expires_at(self->sync_.next_deadline());
      }
      asio::error_code ignored;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  // Follows the OTP epochs: new topic and key at each boundary, the old topic until the grace
  // window ends.
  static asio::awaitable<void> rotation_loop(std::weak_ptr<Impl> weak,
                                             std::shared_ptr<asio::steady_timer> timer) {
    while (true) {
      {
        auto self = weak.lock();
        if (!self || !self->running_) co_return;
        const std::string before = self->snapshot_.current.topic;
        self->refresh_topics();
        if (self->snapshot_.current.topic != before) {
          logger()->debug("ledger topic rotated to {}", self->snapshot_.current.topic);
          self->sync_.on_peer_joined(steady_now());
          self->sync_timer_->cancel();
        }
        auto wait = self->snapshot_.next_change - wall_now();
        // Wake at least every minute: the wall clock may jump.
        wait = std::clamp<util::WallTime::duration>(wait, 10ms, 60s);
        timer->expires_after(
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait) + 5ms);
      }
      asio::error_code ignored;
      co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  static asio::awaitable<void> scrub_loop(std::weak_ptr<Impl> weak) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (true) {
      {
        auto self = weak.lock();
        if (!self || !self->running_) co_return;
        timer.expires_after(self->config_.scrub_interval);
      }
      asio::error_code ignored;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      auto self = weak.lock();
      if (!self || !self->running_) co_return;
      self->scrub();
    }
  }

  // Spec 10.5: the leader of the live nodes clears the heartbeats (ownership off) or reaps.
  void scrub() {
    const auto nodes = state_.available_nodes(config_.heartbeat_max_age, wall_now());
    if (leader(nodes) != self_id_) return;
    if (state_.mode() == OwnershipMode::kOff) {
      if (state_.remove_bucket(kHealthcheckBucket, wall_now())) after_local_change();
    } else if (state_.reap(wall_now())) {
      after_local_change();
    }
  }

  // One announce loop's work: runs with the Impl locked; false ends the loop.
  using Step = std::function<bool(Impl&)>;

  // Runs `step` now, then on the backoff ticker capped at `cap`, until it returns false.
  void announce_every(std::chrono::seconds cap, Step step) {
    tasks_.spawn(announce_loop(weak_from_this(), cap, std::move(step)), "announce loop");
  }

  static asio::awaitable<void> announce_loop(std::weak_ptr<Impl> weak, std::chrono::seconds cap,
                                             Step step) {
    // The ticker's jitter comes from the Impl's generator, looked up at each draw.
    BackoffTicker ticker = BackoffTicker::with_max(cap, [weak] {
      auto self = weak.lock();
      return self ? self->uniform() : 0.5;
    });
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (true) {
      const auto delay = ticker.next_delay();
      if (delay.count() > 0) {
        timer.expires_after(delay);
        asio::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      }
      auto self = weak.lock();
      if (!self || !self->running_) co_return;
      if (!step(*self)) co_return;
    }
  }

  bool add(std::string_view bucket, std::string_view key, std::string_view value) {
    if (!state_.add(bucket, key, value, wall_now())) return false;
    after_local_change();
    return true;
  }
  bool remove(std::string_view bucket, std::string_view key) {
    if (!state_.remove(bucket, key, wall_now())) return false;
    after_local_change();
    return true;
  }
  bool remove_bucket(std::string_view bucket) {
    if (!state_.remove_bucket(bucket, wall_now())) return false;
    after_local_change();
    return true;
  }

  bool bucket_exists(const std::string& bucket) const {
    return state_.current_data().count(bucket) != 0;
  }

  asio::io_context& io_;
  p2p::gossip::PubsubService& pubsub_;
  LiveLedgerConfig config_;
  TopicSchedule schedule_;
  std::string self_id_;
  LedgerState state_;
  std::mt19937_64 random_;
  SyncPolicy sync_;
  std::shared_ptr<asio::steady_timer> sync_timer_;  // cancelled to publish early
  std::shared_ptr<asio::steady_timer> rotation_timer_;
  TopicSnapshot snapshot_;
  std::set<std::string> joined_;
  std::optional<LedgerStore> store_;
  std::vector<std::weak_ptr<std::function<void()>>> change_callbacks_;
  bool running_ = false;
  uint64_t rejected_senders_ = 0;
  LiveLedgerStats stats_;
  task::TaskGroup tasks_;  // last: destroyed first, cancelling the loops
};

util::Result<std::unique_ptr<LiveLedger>> LiveLedger::create(asio::io_context& io,
                                                             p2p::gossip::PubsubService& pubsub,
                                                             crypto::PrivateKey key,
                                                             LiveLedgerConfig config) {
  auto schedule = TopicSchedule::create(config.rotation);
  if (!schedule) return schedule.error();
  if (config.max_message_size == 0) {
    return util::make_error(util::Errc::kInvalidArgument, "max_message_size must be positive");
  }
  auto impl = std::make_shared<Impl>(io, pubsub, std::move(key), std::move(config),
                                     std::move(*schedule));
  return std::unique_ptr<LiveLedger>(new LiveLedger(std::move(impl)));
}

LiveLedger::LiveLedger(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveLedger::~LiveLedger() { impl_->stop(); }

void LiveLedger::start() { impl_->start(); }
void LiveLedger::stop() { impl_->stop(); }

const LedgerState& LiveLedger::state() const { return impl_->state_; }
LedgerData LiveLedger::current_data() const { return impl_->state_.current_data(); }
std::optional<std::string> LiveLedger::get(std::string_view bucket, std::string_view key) const {
  return impl_->state_.get(bucket, key);
}
const Block& LiveLedger::last_block() const { return impl_->state_.last_block(); }
int64_t LiveLedger::index() const { return impl_->state_.index(); }
std::vector<std::string> LiveLedger::available_nodes(std::chrono::seconds max_age) const {
  return impl_->state_.available_nodes(max_age, wall_now());
}
bool LiveLedger::is_live(std::string_view peer_id) const {
  return impl_->state_.is_live(peer_id, wall_now());
}
std::vector<crypto::PeerId> LiveLedger::topic_peers() const {
  return impl_->pubsub_.topic_peers(impl_->snapshot_.current.topic);
}
const std::string& LiveLedger::current_topic() const { return impl_->snapshot_.current.topic; }
const std::string& LiveLedger::self_id() const { return impl_->self_id_; }

bool LiveLedger::add(std::string_view bucket, std::string_view key, std::string_view value_json) {
  return impl_->add(bucket, key, value_json);
}
bool LiveLedger::remove(std::string_view bucket, std::string_view key) {
  return impl_->remove(bucket, key);
}
bool LiveLedger::remove_bucket(std::string_view bucket) { return impl_->remove_bucket(bucket); }

void LiveLedger::announce_update(std::string bucket, std::string key, std::string value_json) {
  impl_->announce_every(impl_->config_.announce_interval, [bucket, key, value_json](Impl& impl) {
    if (!impl.state_.holds(bucket, key, value_json)) impl.add(bucket, key, value_json);
    return true;
  });
}

void LiveLedger::persist(std::string bucket, std::string key, std::string value_json,
                         std::chrono::seconds timeout) {
  const auto deadline = steady_now() + timeout;
  impl_->announce_every(kApiWriteInterval, [bucket, key, value_json, deadline](Impl& impl) {
    if (impl.state_.holds(bucket, key, value_json) || steady_now() > deadline) return false;
    impl.add(bucket, key, value_json);
    // Under ownership merges are per key, so once held our write stays until a newer write or a
    // delete replaces it: stop now, or a delete made before the next tick would be undone (Go's
    // Persist only stops at the next tick). Without ownership a whole-block adoption can drop it:
    // keep checking, as Go does.
    return impl.state_.mode() == OwnershipMode::kOff ||
           !impl.state_.holds(bucket, key, value_json);
  });
}

void LiveLedger::announce_delete(std::string bucket, std::string key,
                                 std::chrono::seconds timeout) {
  const auto deadline = steady_now() + timeout;
  impl_->announce_every(kApiWriteInterval, [bucket, key, deadline](Impl& impl) {
    if (!impl.state_.get(bucket, key) || steady_now() > deadline) return false;
    impl.remove(bucket, key);
    return true;
  });
}

void LiveLedger::announce_delete_bucket(std::string bucket, std::chrono::seconds timeout) {
  const auto deadline = steady_now() + timeout;
  impl_->announce_every(kApiWriteInterval, [bucket, deadline](Impl& impl) {
    if (!impl.bucket_exists(bucket) || steady_now() > deadline) return false;
    impl.remove_bucket(bucket);
    return true;
  });
}

void LiveLedger::announce(std::function<bool()> step) {
  impl_->announce_every(impl_->config_.announce_interval,
                        [step = std::move(step)](Impl&) { return step(); });
}

Subscription LiveLedger::on_change(std::function<void()> callback) {
  auto shared = std::make_shared<std::function<void()>>(std::move(callback));
  impl_->change_callbacks_.push_back(shared);
  return Subscription(shared);
}

void LiveLedger::set_legacy_compat(bool enabled) {
  impl_->sync_.set_legacy_compat(enabled, steady_now());
  impl_->sync_timer_->cancel();
}

LiveLedgerStats LiveLedger::stats() const {
  LiveLedgerStats stats = impl_->stats_;
  stats.suppressed = impl_->sync_.suppressed();
  stats.violations_rejected = impl_->state_.violations_rejected();
  stats.violations_accepted = impl_->state_.violations_accepted();
  return stats;
}

}  // namespace edgevpn::ledger::live
