// KadService: the DHT's stream handler, request sending, lookup driving and table upkeep.
#include "p2p/discovery/kad_service.hpp"

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <list>
#include <map>
#include <set>

#include "p2p/discovery/dnsaddr.hpp"
#include "p2p/discovery/wake_timer.hpp"
#include "p2p/kad/dht_server.hpp"
#include "p2p/kad/lookup.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using util::Errc;
using util::make_error;
using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.kad");
  return log;
}

// Resets `stream` when `timeout` passes before the guard is destroyed.
class StreamDeadline {
 public:
  StreamDeadline(const asio::any_io_executor& executor, host::Stream stream,
                 std::chrono::milliseconds timeout)
      : state_(std::make_shared<State>()), timer_(executor, timeout) {
    timer_.async_wait([stream, state = state_](const asio::error_code& ec) mutable {
      if (ec || state->finished) return;
      state->expired = true;
      stream.reset();
    });
  }
  ~StreamDeadline() {
    state_->finished = true;
    timer_.cancel();
  }
  StreamDeadline(const StreamDeadline&) = delete;
  StreamDeadline& operator=(const StreamDeadline&) = delete;
  bool expired() const { return state_->expired; }

 private:
  struct State {
    bool finished = false;
    bool expired = false;
  };
  std::shared_ptr<State> state_;
  asio::steady_timer timer_;
};

// Reads one length-prefixed DHT message, keeping extra bytes in `buffer` for the next call.
// kClosed at a clean end of stream between messages, kTimeout when `timeout` passes first.
asio::awaitable<util::Result<kad::Message>> read_message(host::Stream stream, util::Bytes& buffer,
                                                         size_t max_size,
                                                         std::chrono::milliseconds timeout) {
  StreamDeadline deadline(co_await asio::this_coro::executor, stream, timeout);
  std::vector<uint8_t> chunk(16 * 1024);
  for (;;) {
    if (!buffer.empty()) {
      auto frame = kad::read_frame(buffer, max_size);
      if (frame) {
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(frame->consumed));
        co_return std::move(frame->message);
      }
      if (frame.error().code != Errc::kTruncated) co_return frame.error();
    }
    auto n = co_await stream.read_some(chunk);
    if (!n) {
      if (deadline.expired()) co_return make_error(Errc::kTimeout, "no DHT message in time");
      co_return n.error();
    }
    if (*n == 0) {
      if (buffer.empty()) co_return make_error(Errc::kClosed, "end of stream");
      co_return make_error(Errc::kTruncated, "stream ended inside a DHT message");
    }
    buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(*n));
  }
}

bool is_bad_frame(Errc code) {
  return code == Errc::kMalformed || code == Errc::kTooLarge || code == Errc::kTruncated ||
         code == Errc::kProtocol;
}

// Counts finished tasks and wakes one waiter (fan-out of requests with a common deadline).
struct FanOut {
  explicit FanOut(const asio::any_io_executor& executor) : wake(executor) {}
  size_t pending = 0;
  size_t succeeded = 0;
  WakeTimer wake;
};

}  // namespace

util::Result<DhtMode> parse_dht_mode(std::string_view text) {
  if (text == "auto") return DhtMode::kAuto;
  if (text == "client") return DhtMode::kClient;
  if (text == "server") return DhtMode::kServer;
  return make_error(Errc::kInvalidArgument,
                    "dht mode must be auto, client or server, not " + std::string(text));
}

// Held by the facade and by every coroutine of the service (`self`, or a caller that holds it),
// so `this` is valid in all of them. The host outlives only the facade: after each suspension a
// coroutine checks stopped_ (set by stop(), which the facade's destructor calls) before using it.
class KadService::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, host::Host& host, KadConfig config)
      : executor_(io.get_executor()),
        host_(host),
        config_(std::move(config)),
        table_(host.peer_id(), config_.k),
        providers_(config_.provider_limits),
        server_(table_, providers_),
        refresh_wake_(executor_),
        tasks_(std::make_unique<task::TaskGroup>(executor_, "kad")) {}

  // ---- lifecycle -------------------------------------------------------------------------

  void start() {
    if (started_) return;
    started_ = true;
    stopped_ = false;
    if (tasks_->cancelled()) tasks_ = std::make_unique<task::TaskGroup>(executor_, "kad");
    update_self_addrs();
    apply_mode();
    if (!callbacks_installed_) {
      callbacks_installed_ = true;
      std::weak_ptr<Impl> weak = shared_from_this();
      host_.on_peer_identified([weak](const crypto::PeerId& peer) {
        if (auto self = weak.lock(); self && !self->stopped_) self->on_identified(peer);
      });
    }
    for (const auto& peer : host_.connected_peers()) {
      if (host_.is_identified(peer)) on_identified(peer);
    }
    if (config_.refresh_interval.count() > 0) {
      tasks_->spawn(refresh_loop(shared_from_this()), "refresh loop");
    }
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    started_ = false;
    refresh_wake_.notify();
    tasks_->cancel();
    if (serving_) {
      host_.remove_stream_handler(config_.protocol);
      serving_ = false;
    }
    for (auto& stream : inbound_) stream.reset();
  }

  bool server_mode() const { return serving_; }

  bool wants_server_mode() const {
    switch (config_.mode) {
      case DhtMode::kServer: return true;
      case DhtMode::kClient: return false;
      case DhtMode::kAuto: break;
    }
    const auto public_addr = [](const Multiaddr& addr) { return addr.is_public(); };
    const auto listen = host_.advertised_addrs();
    return std::any_of(listen.begin(), listen.end(), public_addr) ||
           std::any_of(config_.announce_addrs.begin(), config_.announce_addrs.end(), public_addr);
  }

  void apply_mode() {
    const bool want = !stopped_ && wants_server_mode();
    if (want == serving_) return;
    serving_ = want;
    if (want) {
      std::weak_ptr<Impl> weak = shared_from_this();
      host_.set_stream_handler(config_.protocol, [weak](host::Stream stream) {
        return serve_entry(weak.lock(), std::move(stream));
      });
      logger()->debug("DHT server mode");
    } else {
      host_.remove_stream_handler(config_.protocol);
      logger()->debug("DHT client mode");
    }
  }

  void update_self_addrs() {
    self_addrs_ =
        config_.announce_addrs.empty() ? host_.advertised_addrs() : config_.announce_addrs;
    server_.set_self_addrs(self_addrs_);
  }

  // ---- server ------------------------------------------------------------------------------

  static asio::awaitable<void> serve_entry(std::shared_ptr<Impl> self, host::Stream stream) {
    if (!self || self->stopped_) {
      stream.reset();
      co_return;
    }
    co_await self->serve(self, std::move(stream));
  }

  asio::awaitable<void> serve(std::shared_ptr<Impl> keep, host::Stream stream) {
    // Listed while served (stop() resets them), also when serving ends by an exception.
    struct Listed {
      ~Listed() { impl->inbound_.erase(position); }
      Impl* impl;
      std::list<host::Stream>::iterator position;
    } listed{this, inbound_.insert(inbound_.end(), stream)};
    util::Bytes buffer;
    for (;;) {
      auto request = co_await read_message(stream, buffer, config_.max_message_size,
                                           config_.stream_idle_timeout);
      if (!request) {
        if (is_bad_frame(request.error().code)) {
          ++stats_.bad_frames;
          logger()->debug("bad DHT frame from {}: {}", stream.remote_peer().to_base58(),
                          request.error().describe());
          stream.reset();
        } else if (request.error().code == Errc::kClosed && !stream.is_reset()) {
          (void)stream.close();
        } else {
          stream.reset();
        }
        break;
      }
      if (stopped_) {
        stream.reset();
        break;
      }
      auto response = server_.handle_request(*request, stream.remote_peer(), Clock::now());
      if (!response) {
        ++stats_.requests_rejected;
        stream.reset();
        break;
      }
      ++stats_.requests_served;
      if (*response) {
        if (!(co_await stream.write_all(kad::encode_framed(**response)))) break;
      }
    }
    (void)keep;
  }

  // ---- client ------------------------------------------------------------------------------

  void remember(const kad::PeerInfo& peer) {
    if (peer.id.empty() || peer.id == host_.peer_id() || peer.addrs.empty()) return;
    std::vector<Multiaddr> addrs;
    for (const auto& addr : kad::capped(peer).addrs) addrs.push_back(addr.without_peer_id());
    host_.peerstore().add_addrs(peer.id, addrs);
  }

  // One request on a fresh stream. ADD_PROVIDER has no answer: its "response" is the request.
  asio::awaitable<util::Result<kad::Message>> send_request(kad::PeerInfo peer,
                                                           kad::Message request) {
    ++stats_.queries_sent;
    remember(peer);
    std::vector<std::string> protocols{config_.protocol};
    auto stream = co_await host_.new_stream(peer.id, std::move(protocols));
    if (stopped_) {
      if (stream) stream->reset();
      co_return make_error(Errc::kClosed, "DHT stopped");
    }
    if (!stream) {
      ++stats_.queries_failed;
      co_return stream.error();
    }
    StreamDeadline deadline(executor_, *stream, config_.query_timeout);
    if (auto written = co_await stream->write_all(kad::encode_framed(request)); !written) {
      ++stats_.queries_failed;
      stream->reset();
      co_return written.error();
    }
    if (request.type == kad::MessageType::kAddProvider) {
      (void)stream->close();
      co_return request;
    }
    util::Bytes buffer;
    auto response =
        co_await read_message(*stream, buffer, config_.max_message_size, config_.query_timeout);
    if (stopped_) {
      stream->reset();
      co_return make_error(Errc::kClosed, "DHT stopped");
    }
    if (!response) {
      ++stats_.queries_failed;
      stream->reset();
      co_return response.error();
    }
    (void)stream->close();
    for (const auto& closer : response->closer_peers) remember(closer);
    for (const auto& provider : response->provider_peers) remember(provider);
    co_return std::move(*response);
  }

  // A peer answered a DHT request: it is a server, so it belongs in the table.
  void add_to_table(const crypto::PeerId& peer) {
    if (peer == host_.peer_id()) return;
    kad::PeerInfo info{peer, host_.peerstore().addrs(peer), kad::ConnectionType::kNotConnected};
    auto result = table_.update(kad::capped(std::move(info)), Clock::now());
    if (result.outcome == kad::RoutingTable::Outcome::kPingOldest && result.to_ping) {
      tasks_->spawn(ping_member(shared_from_this(), *result.to_ping), "ping bucket member");
    }
  }

  static asio::awaitable<void> ping_member(std::shared_ptr<Impl> self, kad::PeerInfo peer) {
    kad::Message ping;
    ping.type = kad::MessageType::kPing;
    auto answer = co_await self->send_request(peer, ping);
    if (self->stopped_) co_return;
    if (answer) {
      self->table_.on_ping_success(peer.id, Clock::now());
    } else {
      self->table_.remove(peer.id, Clock::now());
    }
  }

  void on_identified(const crypto::PeerId& peer) {
    if (host_.peerstore().supports(peer, config_.protocol)) {
      add_to_table(peer);
    } else if (table_.contains(peer)) {
      table_.remove(peer, Clock::now());  // switched to client mode
    }
  }

  struct LookupRun {
    LookupRun(const asio::any_io_executor& executor, kad::Lookup lookup)
        : lookup(std::move(lookup)), wake(executor) {}
    kad::Lookup lookup;
    WakeTimer wake;
  };

  static asio::awaitable<void> query_for_lookup(std::shared_ptr<Impl> self,
                                                std::shared_ptr<LookupRun> run,
                                                kad::LookupRequest request) {
    auto response = co_await self->send_request(request.peer, request.message);
    if (self->stopped_) {
      run->wake.notify();
      co_return;
    }
    if (response) {
      run->lookup.on_response(request.peer.id, *response, Clock::now());
      self->add_to_table(request.peer.id);
    } else {
      run->lookup.on_failure(request.peer.id);
      if (response.error().code != Errc::kTimeout && self->table_.contains(request.peer.id)) {
        self->table_.remove(request.peer.id, Clock::now());
      }
    }
    run->wake.notify();
  }

  std::vector<kad::PeerInfo> seeds_for(const util::Bytes& key) const {
    auto seeds = table_.closest(kad::key_for_bytes(key), config_.k);
    if (seeds.empty()) {
      // No table yet (e.g. right after connecting): ask connected peers that speak the DHT.
      for (const auto& peer : host_.connected_peers()) {
        if (host_.peerstore().supports(peer, config_.protocol)) {
          seeds.push_back(kad::PeerInfo{peer, host_.peerstore().addrs(peer), {}});
        }
      }
    }
    return seeds;
  }

  asio::awaitable<std::shared_ptr<LookupRun>> run_lookup(kad::MessageType type, util::Bytes key,
                                                         size_t provider_limit) {
    ++stats_.lookups;
    kad::LookupConfig lookup_config;
    lookup_config.k = config_.k;
    lookup_config.alpha = config_.alpha;
    lookup_config.request_timeout = config_.query_timeout;
    lookup_config.provider_limit = std::max<size_t>(1, provider_limit);
    auto seeds = seeds_for(key);
    auto run = std::make_shared<LookupRun>(
        executor_, kad::Lookup(type, std::move(key), host_.peer_id(), seeds, lookup_config));
    const auto give_up = Clock::now() + config_.lookup_timeout;
    auto self = shared_from_this();
    while (!stopped_) {
      const auto now = Clock::now();
      if (now >= give_up) break;
      for (auto& request : run->lookup.next_requests(now)) {
        tasks_->spawn(query_for_lookup(self, run, std::move(request)), "lookup query");
      }
      if (run->lookup.done()) break;
      auto wake_at = run->lookup.next_deadline().value_or(give_up);
      co_await run->wake.wait_until(std::min(wake_at, give_up));
    }
    co_return run;
  }

  asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> find_closest_peers(util::Bytes key) {
    auto run = co_await run_lookup(kad::MessageType::kFindNode, std::move(key), 1);
    if (stopped_) co_return make_error(Errc::kClosed, "DHT stopped");
    auto closest = run->lookup.closest();
    if (closest.empty()) co_return make_error(Errc::kNotFound, "no DHT peer answered");
    for (auto& peer : closest) {
      if (peer.addrs.empty()) peer.addrs = host_.peerstore().addrs(peer.id);
    }
    co_return closest;
  }

  asio::awaitable<util::Result<kad::PeerInfo>> find_peer(crypto::PeerId peer) {
    auto known = host_.peerstore().addrs(peer);
    if (host_.is_connected(peer) && !known.empty()) {
      co_return kad::PeerInfo{peer, known, kad::ConnectionType::kConnected};
    }
    auto run = co_await run_lookup(kad::MessageType::kFindNode, peer.bytes(), 1);
    if (stopped_) co_return make_error(Errc::kClosed, "DHT stopped");
    known = host_.peerstore().addrs(peer);  // responses naming the peer filled the peerstore
    if (!known.empty()) co_return kad::PeerInfo{peer, known, kad::ConnectionType::kCanConnect};
    co_return make_error(Errc::kNotFound, "peer not found in the DHT: " + peer.to_base58());
  }

  static asio::awaitable<void> add_provider_to(std::shared_ptr<Impl> self,
                                               std::shared_ptr<FanOut> fan, kad::PeerInfo peer,
                                               kad::Message request) {
    auto sent = co_await self->send_request(std::move(peer), std::move(request));
    if (sent) ++fan->succeeded;
    --fan->pending;
    fan->wake.notify();
  }

  asio::awaitable<util::Result<size_t>> provide(util::Bytes key) {
    if (key.empty() || key.size() > kad::kMaxProviderKeySize) {
      co_return make_error(Errc::kInvalidArgument, "provider key must be 1 to 80 bytes");
    }
    update_self_addrs();
    const kad::PeerInfo self_info{host_.peer_id(), self_addrs_, kad::ConnectionType::kConnected};
    (void)providers_.add(key, self_info, Clock::now());
    auto run = co_await run_lookup(kad::MessageType::kFindNode, key, 1);
    if (stopped_) co_return make_error(Errc::kClosed, "DHT stopped");
    const auto closest = run->lookup.closest();
    if (closest.empty()) co_return make_error(Errc::kNotFound, "no DHT peer to provide to");
    auto fan = std::make_shared<FanOut>(executor_);
    const auto request = kad::make_add_provider(key, self_info);
    auto self = shared_from_this();
    for (const auto& peer : closest) {
      ++fan->pending;
      tasks_->spawn(add_provider_to(self, fan, peer, request), "add provider");
    }
    const auto give_up = Clock::now() + config_.query_timeout;
    while (fan->pending > 0 && Clock::now() < give_up && !stopped_) {
      co_await fan->wake.wait_until(give_up);
    }
    if (fan->succeeded == 0) co_return make_error(Errc::kNotFound, "no peer took the record");
    co_return fan->succeeded;
  }

  asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> find_providers(util::Bytes key,
                                                                           size_t limit) {
    if (key.empty() || key.size() > kad::kMaxProviderKeySize) {
      co_return make_error(Errc::kInvalidArgument, "provider key must be 1 to 80 bytes");
    }
    limit = std::max<size_t>(1, limit);
    std::vector<kad::PeerInfo> found = providers_.get(key, Clock::now());
    if (found.size() > limit) found.resize(limit);
    if (found.size() < limit) {
      auto run = co_await run_lookup(kad::MessageType::kGetProviders, key, limit);
      if (stopped_) co_return make_error(Errc::kClosed, "DHT stopped");
      for (const auto& provider : run->lookup.providers()) {
        if (found.size() >= limit) break;
        const bool known = std::any_of(found.begin(), found.end(),
                                       [&](const kad::PeerInfo& p) { return p.id == provider.id; });
        if (!known) found.push_back(provider);
      }
    }
    for (auto& provider : found) {
      remember(provider);
      if (provider.addrs.empty()) provider.addrs = host_.peerstore().addrs(provider.id);
    }
    co_return found;
  }

  static asio::awaitable<void> connect_one(std::shared_ptr<Impl> self, std::shared_ptr<FanOut> fan,
                                           Multiaddr addr) {
    auto connected = co_await self->host_.connect(addr);
    if (self->stopped_) connected = make_error(Errc::kClosed, "DHT stopped");
    if (connected) {
      ++fan->succeeded;
      self->add_to_table(*connected);
    } else {
      logger()->debug("bootstrap peer {} unreachable: {}", addr.to_string(),
                      connected.error().describe());
    }
    --fan->pending;
    fan->wake.notify();
  }

  asio::awaitable<util::Result<size_t>> bootstrap(std::vector<Multiaddr> peers) {
    std::vector<Multiaddr> dialable;
    for (auto& addr : peers) {
      auto resolved = co_await resolve_dnsaddr(addr);
      if (stopped_) co_return make_error(Errc::kClosed, "DHT stopped");
      if (!resolved) {
        logger()->debug("cannot resolve {}: {}", addr.to_string(), resolved.error().describe());
        continue;
      }
      for (auto& one : *resolved) {
        if (one.tcp_endpoint()) dialable.push_back(std::move(one));
      }
    }
    // One address per peer at a time would be kinder; bootstrap lists are short, so dial them all.
    auto fan = std::make_shared<FanOut>(executor_);
    auto self = shared_from_this();
    std::set<crypto::PeerId> seen;
    for (auto& addr : dialable) {
      if (auto id = addr.peer_id()) {
        if (*id == host_.peer_id() || !seen.insert(*id).second) continue;
      }
      ++fan->pending;
      tasks_->spawn(connect_one(self, fan, addr), "bootstrap dial");
    }
    while (fan->pending > 0 && !stopped_) co_await fan->wake.wait_for(std::chrono::seconds(1));
    if (stopped_) co_return make_error(Errc::kClosed, "DHT stopped");
    if (fan->succeeded == 0) co_return make_error(Errc::kNotFound, "no bootstrap peer reachable");
    co_await refresh();
    co_return fan->succeeded;
  }

  asio::awaitable<void> refresh() {
    if (stopped_) co_return;
    providers_.expire(Clock::now());
    update_self_addrs();
    apply_mode();
    (void)co_await find_closest_peers(host_.peer_id().bytes());
  }

  static asio::awaitable<void> refresh_loop(std::shared_ptr<Impl> self) {
    while (!self->stopped_) {
      co_await self->refresh_wake_.wait_for(self->config_.refresh_interval);
      if (self->stopped_) break;
      co_await self->refresh();
    }
  }

  asio::any_io_executor executor_;
  host::Host& host_;
  KadConfig config_;
  kad::RoutingTable table_;
  kad::ProviderStore providers_;
  kad::DhtServer server_;
  WakeTimer refresh_wake_;
  std::vector<Multiaddr> self_addrs_;
  std::list<host::Stream> inbound_;
  KadStats stats_;
  bool started_ = false;
  bool stopped_ = false;
  bool serving_ = false;
  bool callbacks_installed_ = false;
  // Replaced by start() after stop() cancelled it.
  std::unique_ptr<task::TaskGroup> tasks_;
};

KadService::KadService(asio::io_context& io, host::Host& host, KadConfig config)
    : impl_(std::make_shared<Impl>(io, host, std::move(config))) {}

KadService::~KadService() {
  impl_->stop();
}

void KadService::start() {
  impl_->start();
}
void KadService::stop() {
  impl_->stop();
}
bool KadService::server_mode() const {
  return impl_->server_mode();
}

asio::awaitable<util::Result<size_t>> KadService::bootstrap(std::vector<Multiaddr> peers) {
  auto impl = impl_;
  co_return co_await impl->bootstrap(std::move(peers));
}

asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> KadService::find_closest_peers(
    util::Bytes key) {
  auto impl = impl_;
  co_return co_await impl->find_closest_peers(std::move(key));
}

asio::awaitable<util::Result<kad::PeerInfo>> KadService::find_peer(crypto::PeerId peer) {
  auto impl = impl_;
  co_return co_await impl->find_peer(peer);
}

asio::awaitable<util::Result<size_t>> KadService::provide(util::Bytes key) {
  auto impl = impl_;
  co_return co_await impl->provide(std::move(key));
}

asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> KadService::find_providers(
    util::Bytes key, size_t limit) {
  auto impl = impl_;
  co_return co_await impl->find_providers(std::move(key), limit);
}

asio::awaitable<void> KadService::refresh() {
  auto impl = impl_;
  co_await impl->refresh();
}

std::vector<Multiaddr> KadService::self_addrs() const {
  return impl_->config_.announce_addrs.empty() ? impl_->host_.advertised_addrs()
                                               : impl_->config_.announce_addrs;
}
const kad::RoutingTable& KadService::routing_table() const {
  return impl_->table_;
}
const kad::ProviderStore& KadService::provider_store() const {
  return impl_->providers_;
}
KadStats KadService::stats() const {
  return impl_->stats_;
}
const KadConfig& KadService::config() const {
  return impl_->config_;
}

}  // namespace edgevpn::p2p::discovery
