// GossipSub on the host. The router is sans-I/O; this file moves its bytes: one outbound stream
// per pubsub peer (written by a per-peer writer coroutine from a bounded queue), one reader per
// inbound stream, and a timer for the heartbeat.
#include "p2p/gossip/pubsub_service.hpp"

#include <array>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <unordered_map>

#include "crypto/random.hpp"
#include "p2p/host/async_signal.hpp"
#include "p2p/record/signed_peer_record.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::gossip {
namespace {

using crypto::PeerId;

// A peer whose outbound stream cannot keep up loses frames beyond this (gossip recovers them).
constexpr size_t kMaxQueuedBytes = 32u << 20;
constexpr size_t kReadChunk = 64 * 1024;
constexpr auto kQuickFailure = std::chrono::seconds(1);
constexpr unsigned kMaxQuickFailures = 8;

std::vector<std::string> offered_protocols() {
  return {pubsub::kSupportedProtocolIds.begin(), pubsub::kSupportedProtocolIds.end()};
}

uint64_t random_seed() {
  auto bytes = crypto::random_bytes(8);
  uint64_t seed = 0;
  for (auto b : bytes) seed = (seed << 8) | b;
  return seed;
}

util::SteadyTime now() {
  return std::chrono::steady_clock::now();
}

std::shared_ptr<spdlog::logger> logger() {
  static auto instance = log::get("p2p.pubsub");
  return instance;
}

}  // namespace

class PubsubService::Impl : public std::enable_shared_from_this<Impl> {
 public:
  using TopicPeerCallback = std::function<void(const std::string&, const PeerId&, bool joined)>;

  struct Link {
    host::Stream stream;  // outbound; invalid until opened
    std::deque<util::Bytes> queue;
    size_t queued_bytes = 0;
    std::shared_ptr<host::AsyncSignal> signal;
    bool writer_running = false;
    bool had_stream = false;  // a stream was opened before: a new one is a restart
    std::chrono::steady_clock::time_point opened_at{};
    unsigned quick_failures = 0;  // streams in a row that failed within kQuickFailure
  };

  Impl(asio::io_context& io, host::Host& host, crypto::PrivateKey key, pubsub::RouterConfig config)
      : io_(io),
        host_(host),
        router_(std::move(key), std::move(config), random_seed(), now()),
        timer_(io),
        tasks_(std::make_unique<task::TaskGroup>(io.get_executor(), "pubsub")) {}

  void start() {
    if (running_) return;
    running_ = true;
    if (tasks_->cancelled()) {
      tasks_ = std::make_unique<task::TaskGroup>(io_.get_executor(), "pubsub");
    }
    // The host keeps handlers and callbacks for as long as it lives: they hold the Impl weakly
    // and do nothing once it is stopped.
    std::weak_ptr<Impl> weak = weak_from_this();
    for (const auto& id : offered_protocols()) {
      host_.set_stream_handler(
          id, [weak](host::Stream stream) { return inbound_loop(weak.lock(), std::move(stream)); });
    }
    if (!callbacks_registered_) {
      callbacks_registered_ = true;
      host_.on_peer_identified([weak](const PeerId& peer) {
        if (auto self = weak.lock(); self && self->running_) self->maybe_open(peer);
      });
      host_.on_peer_disconnected([weak](const PeerId& peer) {
        if (auto self = weak.lock(); self && self->running_) self->drop_peer(peer);
      });
    }
    for (const auto& peer : host_.connected_peers()) {
      if (host_.is_identified(peer)) maybe_open(peer);
    }
    tasks_->spawn(timer_loop(shared_from_this()), "heartbeat");
  }

  void stop() {
    if (!running_) return;
    running_ = false;
    timer_.cancel();
    tasks_->cancel();
    for (const auto& id : offered_protocols()) host_.remove_stream_handler(id);
    for (auto& [peer, link] : links_) {
      if (link.stream.valid()) link.stream.reset();
      link.signal->notify();
    }
    for (auto& [peer, stream] : inbound_) stream.reset();
    links_.clear();
    inbound_.clear();
    opening_.clear();  // dials cancelled with the tasks
  }

  void join(const std::string& topic, MessageHandler handler) {
    handlers_[topic] = std::move(handler);
    router_.subscribe(topic, now());
    pump();
  }

  void leave(const std::string& topic) {
    handlers_.erase(topic);
    router_.unsubscribe(topic, now());
    pump();
  }

  util::Result<pubsub::MessageId> publish(const std::string& topic, util::ByteView data) {
    auto id = router_.publish(topic, data, now());
    if (id) ++stats_.messages_published;
    pump();
    return id;
  }

  // Opens our outbound pubsub stream to `peer` once it is known to speak pubsub.
  void maybe_open(const PeerId& peer) {
    if (!running_ || opening_.count(peer) != 0) return;
    if (auto it = links_.find(peer); it != links_.end() && it->second.stream.valid()) return;
    bool speaks = false;
    for (const auto& id : pubsub::kSupportedProtocolIds) {
      speaks = speaks || host_.peerstore().supports(peer, id);
    }
    if (!speaks) return;
    opening_.insert(peer);
    tasks_->spawn(open_outbound(shared_from_this(), peer), "open outbound stream");
  }

  // Background coroutines hold the Impl (`self`) and, after each suspension, check running_
  // before they touch the host or the topic handlers: those outlive only the facade.
  static asio::awaitable<void> open_outbound(std::shared_ptr<Impl> self, PeerId peer) {
    auto stream = co_await self->host_.new_stream(peer, offered_protocols());
    self->opening_.erase(peer);
    if (!self->running_) {
      if (stream) stream->reset();
      co_return;
    }
    if (!stream) {
      logger()->debug("no pubsub stream to {}: {}", peer.to_base58(), stream.error().describe());
      co_return;
    }
    host::Host* host = &self->host_;
    if (!host->is_connected(peer)) {
      stream->reset();
      co_return;
    }
    auto protocol = pubsub::parse_protocol(stream->protocol());
    if (!protocol) {
      stream->reset();
      co_return;
    }
    Link& link = self->link(peer);
    link.stream = *stream;
    ++self->stats_.streams_opened;
    self->router_.add_peer(peer, *protocol, host->is_outbound(peer));
    if (link.had_stream) self->router_.outbound_restarted(peer);
    link.had_stream = true;
    link.opened_at = std::chrono::steady_clock::now();
    self->start_writer(peer, link);
    self->tasks_->spawn(watch_outbound(self, peer, *stream), "watch outbound stream");
    self->pump();
  }

  // Pubsub never reads from its outbound stream, so a read ends only when the far side resets
  // it: Go's pubsub does that when it replaces its instance (each ledger epoch in EdgeVPN). The
  // stream is reopened at once rather than at the next failed write, so nothing sent in between
  // goes to a reader that is gone.
  static asio::awaitable<void> watch_outbound(std::shared_ptr<Impl> self, PeerId peer,
                                              host::Stream stream) {
    std::array<uint8_t, 64> sink{};
    while (true) {
      auto read = co_await stream.read_some(sink);
      if (read && *read > 0) continue;
      if (read) co_return;  // end of stream: the far side only closed its (unused) half
      if (!self->running_) co_return;
      self->outbound_failed(peer, stream, read.error());
      co_return;
    }
  }

  // Our stream to `peer` failed: keep the router's view and reopen it if the peer is connected.
  void outbound_failed(const PeerId& peer, const host::Stream& stream, const util::Error& error) {
    auto it = links_.find(peer);
    if (it == links_.end() || !it->second.stream.valid() ||
        it->second.stream.id() != stream.id()) {
      return;
    }
    logger()->debug("pubsub stream to {} failed: {}", peer.to_base58(), error.describe());
    Link& link = it->second;
    link.stream = host::Stream();
    link.writer_running = false;
    link.signal->notify();
    // A peer that resets every stream at once gets fewer, later attempts, then none until it
    // reconnects.
    const auto now = std::chrono::steady_clock::now();
    link.quick_failures = now - link.opened_at < kQuickFailure ? link.quick_failures + 1 : 0;
    if (link.quick_failures > kMaxQuickFailures) {
      logger()->debug("pubsub: {} resets every stream; not reopening until it reconnects",
                      peer.to_base58());
      return;
    }
    if (link.quick_failures == 0) {
      maybe_open(peer);
      return;
    }
    tasks_->spawn(reopen_later(shared_from_this(), peer, kQuickFailure * link.quick_failures),
                  "reopen outbound stream");
  }

  static asio::awaitable<void> reopen_later(std::shared_ptr<Impl> self, PeerId peer,
                                            std::chrono::steady_clock::duration delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    asio::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (self->running_) self->maybe_open(peer);
  }

  Link& link(const PeerId& peer) {
    auto [it, inserted] = links_.try_emplace(peer);
    if (inserted) it->second.signal = std::make_shared<host::AsyncSignal>(io_.get_executor());
    return it->second;
  }

  void start_writer(const PeerId& peer, Link& link) {
    if (link.writer_running || !link.stream.valid()) return;
    link.writer_running = true;
    tasks_->spawn(writer_loop(shared_from_this(), peer, link.stream, link.signal), "writer");
  }

  static asio::awaitable<void> writer_loop(std::shared_ptr<Impl> self, PeerId peer,
                                           host::Stream stream,
                                           std::shared_ptr<host::AsyncSignal> signal) {
    util::Bytes batch;
    while (true) {
      if (!self->running_) co_return;
      auto it = self->links_.find(peer);
      if (it == self->links_.end() || !it->second.stream.valid() ||
          it->second.stream.id() != stream.id()) {
        co_return;
      }
      Link& link = it->second;
      batch.clear();
      while (!link.queue.empty()) {
        batch.insert(batch.end(), link.queue.front().begin(), link.queue.front().end());
        link.queue.pop_front();
      }
      link.queued_bytes = 0;
      if (batch.empty()) {
        co_await signal->wait();
        continue;
      }
      auto status = co_await stream.write_all(batch);
      if (!status) {
        if (self->running_) self->outbound_failed(peer, stream, status.error());
        co_return;
      }
    }
  }

  // The handler of inbound pubsub streams (run by the host, `self` null once we are gone).
  static asio::awaitable<void> inbound_loop(std::shared_ptr<Impl> self, host::Stream stream) {
    const PeerId peer = stream.remote_peer();
    {
      if (!self || !self->running_) {
        stream.reset();
        co_return;
      }
      auto protocol = pubsub::parse_protocol(stream.protocol());
      if (!protocol) {
        stream.reset();
        co_return;
      }
      if (auto old = self->inbound_.find(peer); old != self->inbound_.end()) old->second.reset();
      self->inbound_[peer] = stream;
      auto links_it = self->links_.find(peer);
      if (links_it == self->links_.end()) {
        // The peer's stream came before ours: let the router know it (our stream follows).
        self->link(peer);
        self->router_.add_peer(peer, *protocol, self->host_.is_outbound(peer));
      }
      self->router_.restart_inbound(peer);
      self->maybe_open(peer);
      self->pump();
    }
    std::vector<uint8_t> buffer(kReadChunk);
    while (true) {
      auto read = co_await stream.read_some(buffer);
      if (!self->running_) co_return;
      if (!read || *read == 0) break;
      auto status = self->router_.on_rpc_bytes(peer, util::ByteView(buffer.data(), *read), now());
      if (!status) {
        ++self->stats_.bad_rpcs;
        logger()->info("dropping peer {}: bad pubsub RPC: {}", peer.to_base58(),
                       status.error().describe());
        stream.reset();
        self->pump();
        self->tasks_->spawn(self->host_.disconnect(peer), "disconnect");
        co_return;
      }
      self->pump();
    }
    auto it = self->inbound_.find(peer);
    if (it != self->inbound_.end() && it->second.id() == stream.id()) self->inbound_.erase(it);
  }

  static asio::awaitable<void> timer_loop(std::shared_ptr<Impl> self) {
    while (self->running_) {
      self->timer_.expires_at(self->router_.next_deadline());
      asio::error_code ignored;
      co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      if (!self->running_) co_return;
      self->router_.on_timer(now());
      self->pump();
    }
  }

  void drop_peer(const PeerId& peer) {
    opening_.erase(peer);
    if (auto it = links_.find(peer); it != links_.end()) {
      if (it->second.stream.valid()) it->second.stream.reset();
      it->second.signal->notify();
      links_.erase(it);
    }
    if (auto it = inbound_.find(peer); it != inbound_.end()) {
      it->second.reset();
      inbound_.erase(it);
    }
    router_.remove_peer(peer);
    pump();
  }

  // Moves the router's output to the writers and handles its events.
  void pump() {
    for (auto& [peer, frame] : router_.take_outgoing()) {
      auto it = links_.find(peer);
      if (it == links_.end()) continue;
      Link& link = it->second;
      if (link.queued_bytes + frame.size() > kMaxQueuedBytes) {
        ++stats_.frames_dropped;
        continue;
      }
      link.queued_bytes += frame.size();
      link.queue.push_back(std::move(frame));
      if (link.stream.valid()) {
        start_writer(peer, link);
        link.signal->notify();
      }
    }
    auto events = router_.take_events();
    for (auto& event : events) {
      std::visit([this](auto& e) { handle(e); }, event);
    }
  }

  void handle(pubsub::MessageEvent& event) {
    auto it = handlers_.find(event.topic);
    if (it == handlers_.end()) return;
    ++stats_.messages_received;
    auto handler = it->second;  // the handler may leave the topic
    handler(event);
  }

  void handle(pubsub::DialPeerEvent& event) {
    if (!running_ || host_.is_connected(event.peer)) return;
    // Peer exchange: the pruning peer passed on the record the offered peer signed itself.
    if (!event.signed_peer_record.empty()) {
      auto record = record::open_signed_peer_record(event.signed_peer_record);
      if (record && record->peer == event.peer) {
        host_.peerstore().add_addrs(event.peer, record->addrs);
      } else if (!record) {
        logger()->debug("peer record of {} ignored: {}", event.peer.to_base58(),
                        record.error().describe());
      }
    }
    auto addrs = host_.peerstore().addrs(event.peer);
    if (addrs.empty()) return;
    tasks_->spawn(dial(shared_from_this(), addrs.front().with_peer_id(event.peer)), "dial");
  }

  static asio::awaitable<void> dial(std::shared_ptr<Impl> self, Multiaddr addr) {
    auto result = co_await self->host_.connect(addr);
    if (!result) logger()->debug("pubsub dial {}: {}", addr.to_string(), result.error().describe());
  }

  void handle(pubsub::PeerMisbehavedEvent& event) {
    ++stats_.invalid_messages;
    logger()->debug("peer {} misbehaved: {}", event.peer.to_base58(), event.reason);
  }

  void handle(pubsub::SubscriptionEvent& event) {
    auto callbacks = topic_callbacks_;
    for (const auto& callback : callbacks) callback(event.topic, event.peer, event.subscribed);
  }

  asio::io_context& io_;
  host::Host& host_;
  pubsub::GossipsubRouter router_;
  asio::steady_timer timer_;
  bool running_ = false;
  bool callbacks_registered_ = false;
  std::unordered_map<PeerId, Link> links_;
  std::unordered_map<PeerId, host::Stream> inbound_;
  std::unordered_set<PeerId> opening_;
  std::map<std::string, MessageHandler> handlers_;
  std::vector<TopicPeerCallback> topic_callbacks_;
  PubsubStats stats_;
  // Replaced by start() after stop() cancelled it.
  std::unique_ptr<task::TaskGroup> tasks_;
};

PubsubService::PubsubService(asio::io_context& io, host::Host& host, crypto::PrivateKey key,
                             pubsub::RouterConfig config)
    : impl_(std::make_shared<Impl>(io, host, std::move(key), std::move(config))) {}

PubsubService::~PubsubService() {
  impl_->stop();
}

void PubsubService::start() {
  impl_->start();
}
void PubsubService::stop() {
  impl_->stop();
}
void PubsubService::join(const std::string& topic, MessageHandler handler) {
  impl_->join(topic, std::move(handler));
}
void PubsubService::leave(const std::string& topic) {
  impl_->leave(topic);
}
util::Result<pubsub::MessageId> PubsubService::publish(const std::string& topic,
                                                       util::ByteView data) {
  return impl_->publish(topic, data);
}
void PubsubService::on_topic_peer(
    std::function<void(const std::string&, const crypto::PeerId&, bool)> callback) {
  impl_->topic_callbacks_.push_back(std::move(callback));
}
std::vector<std::string> PubsubService::topics() const {
  return impl_->router_.subscribed_topics();
}
std::vector<crypto::PeerId> PubsubService::topic_peers(const std::string& topic) const {
  return impl_->router_.topic_peers(topic);
}
std::vector<crypto::PeerId> PubsubService::mesh_peers(const std::string& topic) const {
  return impl_->router_.mesh_peers(topic);
}
std::string PubsubService::peer_protocol(const crypto::PeerId& peer) const {
  auto it = impl_->links_.find(peer);
  if (it == impl_->links_.end() || !it->second.stream.valid()) return "";
  return it->second.stream.protocol();
}
const pubsub::GossipsubRouter& PubsubService::router() const {
  return impl_->router_;
}
PubsubStats PubsubService::stats() const {
  return impl_->stats_;
}

}  // namespace edgevpn::p2p::gossip
