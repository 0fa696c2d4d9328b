// Host: listeners, dialling, connection bookkeeping, stream routing, identify and ping wiring.
#include "p2p/host/host.hpp"

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <map>
#include <unordered_set>

#include "edgevpn/version.hpp"
#include "p2p/host/connection.hpp"
#include "p2p/host/identify_service.hpp"
#include "p2p/host/ping_service.hpp"
#include "p2p/host/tcp_transport.hpp"
#include "p2p/host/upgrader.hpp"
#include "p2p/multistream/multistream_negotiator.hpp"
#include "p2p/ping/ping_payload.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::host {
namespace {

using multistream::Negotiator;
using util::Errc;
using util::make_error;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.host");
  return log;
}

bool is_protocol_violation(Errc code) {
  return code == Errc::kCrypto || code == Errc::kMalformed || code == Errc::kProtocol ||
         code == Errc::kTooLarge || code == Errc::kUnsupported || code == Errc::kTruncated;
}

// Runs multistream-select on a stream; the stream is reset when `timeout` passes first.
asio::awaitable<util::Status> negotiate_stream(Stream stream, StreamState& state,
                                               Negotiator& negotiator,
                                               std::chrono::milliseconds timeout) {
  struct GuardState {
    bool done = false;
  };
  auto guard_state = std::make_shared<GuardState>();
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer guard(executor, timeout);
  guard.async_wait([stream, guard_state](const asio::error_code& ec) mutable {
    if (!ec && !guard_state->done) stream.reset();
  });
  util::Status result;
  uint8_t buffer[2048];
  for (;;) {
    util::Bytes out = negotiator.take_output();
    if (!out.empty()) {
      if (auto status = co_await stream.write_all(out); !status) {
        result = status;
        break;
      }
    }
    if (negotiator.done()) {
      state.pushback = negotiator.take_leftover();
      state.pushback_offset = 0;
      state.protocol = negotiator.selected().value_or("");
      break;
    }
    auto n = co_await stream.read_some(buffer);
    if (!n) {
      result = n.error();
      break;
    }
    if (*n == 0) {
      result = make_error(Errc::kClosed, "stream closed during protocol negotiation");
      break;
    }
    if (auto status = negotiator.feed(util::ByteView(buffer, *n)); !status) {
      result = status;
      break;
    }
  }
  guard_state->done = true;
  guard.cancel();
  if (result.ok() && stream.is_reset())
    result = make_error(Errc::kTimeout, "negotiation timed out");
  co_return result;
}

}  // namespace

HostConfig::HostConfig() : agent_version(kAgentVersion) {
  // A ping a minute (go-yamux: every 30 s) still notices a dead peer within 90 s.
  yamux.keepalive_interval = std::chrono::seconds(60);
  yamux.ping_timeout = std::chrono::seconds(30);
  yamux.max_inbound_streams = 1024;
}

// Held by the facade and by every coroutine of the host (`self`), so `this` is valid in all of
// them; `destroyed_` says the facade is gone, after which nothing calls into the owner (callbacks,
// gate, dial filter, stream handlers) and no new work starts.
class Host::Impl final : public ConnectionObserver, public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, crypto::PrivateKey identity, HostConfig config)
      : executor_(io.get_executor()),
        identity_(std::move(identity)),
        peer_id_(crypto::PeerId::from_public_key(identity_.public_key())),
        config_(std::move(config)),
        tasks_(executor_, "host") {}

  // The facade is being destroyed: stop listening, drop every connection, cancel every task.
  void shutdown() {
    destroyed_ = true;
    closing_ = true;
    for (auto& acceptor : acceptors_) {
      asio::error_code ignored;
      acceptor->close(ignored);
    }
    auto connections = std::move(connections_);
    connections_.clear();
    for (auto& [peer, list] : connections) {
      for (auto& conn : list) conn->abort(make_error(Errc::kClosed, "host destroyed"));
    }
    tasks_.cancel();
  }

  // --- listening -------------------------------------------------------------------------

  util::Status start() {
    if (config_.enable_identify) {
      // Handlers run inside serve_stream, whose `self` keeps `this` alive.
      handlers_[std::string(identify::kProtocolId)] = [this](Stream s) {
        auto ours = identify_info(s.remote_addr());
        return serve_identify(std::move(ours), std::move(s));
      };
      handlers_[std::string(identify::kPushProtocolId)] = [this](Stream s) {
        return serve_identify_push(peerstore_, std::move(s));
      };
    }
    if (config_.enable_ping) {
      handlers_[std::string(ping::kProtocolId)] = [](Stream s) { return serve_ping(std::move(s)); };
    }
    for (const auto& addr : config_.listen_addrs) {
      EDGEVPN_TRY_ASSIGN(endpoint, to_endpoint(addr));
      EDGEVPN_TRY_ASSIGN(acceptor, open_acceptor(executor_, endpoint));
      auto owned = std::make_unique<asio::ip::tcp::acceptor>(std::move(acceptor));
      bound_.push_back(to_multiaddr(owned->local_endpoint()));
      tasks_.spawn(accept_loop(shared_from_this(), owned.get()), "accept loop");
      acceptors_.push_back(std::move(owned));
    }
    return {};
  }

  // Background coroutines take `self`: the Impl (and `this`) stays valid for the whole frame.
  asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self, asio::ip::tcp::acceptor* acceptor) {
    for (;;) {
      asio::error_code ec;
      auto socket = co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (closing_) co_return;
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        logger()->warn("accept failed: {}", ec.message());
        continue;
      }
      if (inbound_count_ >= config_.max_inbound_connections) {
        ++stats_.rejected_connections;
        asio::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++inbound_count_;
      tasks_.spawn(handle_inbound(self, std::move(socket)), "inbound upgrade");
    }
  }

  asio::awaitable<void> handle_inbound(std::shared_ptr<Impl> self, asio::ip::tcp::socket socket) {
    asio::error_code ec;
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    const auto remote = to_multiaddr(socket.remote_endpoint(ec));
    if (!gate_allows(remote, nullptr)) {
      --inbound_count_;
      socket.close(ec);
      co_return;
    }
    auto upgraded = co_await upgrade_connection(socket, false, identity_, std::nullopt,
                                                config_.upgrade_timeout);
    if (closing_) {
      --inbound_count_;
      co_return;
    }
    if (!upgraded) {
      --inbound_count_;
      count_upgrade_failure(upgraded.error());
      logger()->debug("inbound upgrade failed: {}", upgraded.error().describe());
      co_return;
    }
    if (!gate_allows(remote, &upgraded->security.remote_peer)) {
      --inbound_count_;
      socket.close(ec);
      co_return;
    }
    add_connection(std::move(socket), std::move(*upgraded), Direction::kInbound, std::nullopt);
  }

  bool gate_allows(const Multiaddr& remote, const crypto::PeerId* peer) {
    if (destroyed_) return false;
    if (!gate_ || gate_(remote, peer)) return true;
    ++stats_.rejected_connections;
    logger()->debug("connection gate refused {}{}", remote.to_string(),
                    peer ? " (" + peer->to_base58() + ")" : std::string());
    return false;
  }

  void count_upgrade_failure(const util::Error& error) {
    ++stats_.failed_upgrades;
    if (is_protocol_violation(error.code)) ++stats_.protocol_errors;
  }

  // --- connections -----------------------------------------------------------------------

  std::shared_ptr<Connection> add_connection(asio::ip::tcp::socket socket, Upgraded upgraded,
                                             Direction direction,
                                             std::optional<Multiaddr> dialled) {
    ConnectionInfo info;
    info.remote_peer = upgraded.security.remote_peer;
    info.remote_key = upgraded.security.remote_key;
    info.direction = direction;
    asio::error_code ec;
    info.local_endpoint = socket.local_endpoint(ec);
    info.remote_endpoint = socket.remote_endpoint(ec);
    info.local_addr = to_multiaddr(info.local_endpoint);
    info.remote_addr = to_multiaddr(info.remote_endpoint);
    info.serial = next_serial_++;
    ConnectionLimits limits;
    limits.max_send_backlog = config_.max_send_backlog;
    const auto role =
        direction == Direction::kOutbound ? yamux::Role::kClient : yamux::Role::kServer;
    auto conn = std::make_shared<Connection>(
        std::move(socket), std::move(upgraded.security.transport),
        std::move(upgraded.early_plaintext), info, role, config_.yamux, limits, *this);
    const crypto::PeerId peer = info.remote_peer;
    auto& list = connections_[peer];
    const bool first = list.empty();
    list.push_back(conn);
    if (direction == Direction::kOutbound) {
      ++stats_.outbound_connections;
    } else {
      ++stats_.inbound_connections;
    }
    peerstore_.set_public_key(peer, upgraded.security.remote_key);
    if (dialled) peerstore_.add_addrs(peer, {*dialled});
    logger()->debug("connected to {} at {} ({})", peer.to_base58(), info.remote_addr.to_string(),
                    direction == Direction::kOutbound ? "outbound" : "inbound");
    conn->start(tasks_);
    if (first) {
      for (const auto& callback : connected_callbacks_) callback(peer);
    }
    if (config_.enable_identify) {
      tasks_.spawn(identify_connection(shared_from_this(), conn), "identify");
    }
    return conn;
  }

  void on_connection_closed(Connection& conn, const util::Error& why) override {
    if (destroyed_) return;
    if (is_protocol_violation(why.code)) {
      ++stats_.protocol_errors;
      logger()->info("dropped {}: {}", conn.remote_peer().to_base58(), why.describe());
    }
    if (conn.info().direction == Direction::kInbound && inbound_count_ > 0) --inbound_count_;
    auto it = connections_.find(conn.remote_peer());
    if (it == connections_.end()) return;
    auto& list = it->second;
    std::erase_if(list, [&conn](const auto& c) { return c.get() == &conn; });
    if (!list.empty()) return;
    const crypto::PeerId peer = it->first;
    connections_.erase(it);
    identified_.erase(peer);
    for (const auto& callback : disconnected_callbacks_) callback(peer);
  }

  std::shared_ptr<Connection> live_connection(const crypto::PeerId& peer) const {
    auto it = connections_.find(peer);
    if (it == connections_.end()) return nullptr;
    for (const auto& conn : it->second) {
      if (!conn->closed()) return conn;
    }
    return nullptr;
  }

  // --- dialling --------------------------------------------------------------------------

  struct PendingDial {
    explicit PendingDial(const asio::any_io_executor& executor) : done(executor) {}
    AsyncSignal done;
    crypto::PeerId peer;
    std::optional<util::Result<crypto::PeerId>> result;
  };

  asio::awaitable<util::Result<crypto::PeerId>> connect(Multiaddr addr) {
    const auto expected = addr.peer_id();
    if (expected) {
      if (*expected == peer_id_) co_return make_error(Errc::kInvalidArgument, "dialling ourselves");
      if (live_connection(*expected)) co_return *expected;
      if (auto it = dials_.find(*expected); it != dials_.end()) {
        auto pending = it->second;
        while (!pending->result) co_await pending->done.wait();
        co_return *pending->result;
      }
    }
    std::shared_ptr<PendingDial> pending;
    if (expected) {
      pending = std::make_shared<PendingDial>(executor_);
      pending->peer = *expected;
      dials_[*expected] = pending;
    }
    // Dials joining this one get its result, also when it ends by an exception (its caller was
    // cancelled): they must not wait for ever.
    struct Finish {
      ~Finish() {
        if (!pending) return;
        if (!pending->result) pending->result = make_error(Errc::kClosed, "dial abandoned");
        pending->done.notify();
        impl->dials_.erase(pending->peer);
      }
      Impl* impl;
      std::shared_ptr<PendingDial> pending;
    } finish{this, pending};
    auto result = co_await dial(addr, expected);
    if (pending) pending->result = result;
    co_return result;
  }

  asio::awaitable<util::Result<crypto::PeerId>> dial(Multiaddr addr,
                                                     std::optional<crypto::PeerId> expected) {
    if (closing_) co_return make_error(Errc::kClosed, "host is closing");
    if (dial_filter_ && !dial_filter_(addr)) {
      co_return make_error(Errc::kInvalidArgument, "address " + addr.to_string() + " is blocked");
    }
    if (!gate_allows(addr.without_peer_id(), expected ? &*expected : nullptr)) {
      co_return make_error(Errc::kInvalidArgument,
                           "address " + addr.to_string() + " is blacklisted");
    }
    auto endpoint = to_endpoint(addr);
    if (!endpoint) co_return endpoint.error();
    auto socket = co_await dial_tcp(executor_, *endpoint, config_.dial_timeout);
    if (closing_) co_return make_error(Errc::kClosed, "host closed");
    if (!socket) co_return socket.error();
    auto upgraded =
        co_await upgrade_connection(*socket, true, identity_, expected, config_.upgrade_timeout);
    if (closing_) co_return make_error(Errc::kClosed, "host closed");
    if (!upgraded) {
      count_upgrade_failure(upgraded.error());
      co_return upgraded.error();
    }
    const crypto::PeerId peer = upgraded->security.remote_peer;
    if (!gate_allows(addr.without_peer_id(), &peer)) {
      asio::error_code ignored;
      socket->close(ignored);
      co_return make_error(Errc::kInvalidArgument, "peer " + peer.to_base58() + " is blacklisted");
    }
    add_connection(std::move(*socket), std::move(*upgraded), Direction::kOutbound,
                   addr.without_peer_id());
    co_return peer;
  }

  asio::awaitable<util::Result<std::shared_ptr<Connection>>> connection_to(crypto::PeerId peer) {
    if (auto conn = live_connection(peer)) co_return conn;
    if (peer == peer_id_) co_return make_error(Errc::kInvalidArgument, "dialling ourselves");
    const auto addrs = peerstore_.addrs(peer);
    if (addrs.empty())
      co_return make_error(Errc::kNotFound, "no address known for " + peer.to_base58());
    util::Error last = make_error(Errc::kNotFound, "no address worked");
    for (const auto& addr : addrs) {
      auto result = co_await connect(addr.with_peer_id(peer));
      if (result) {
        if (auto conn = live_connection(peer)) co_return conn;
      } else {
        last = result.error();
      }
    }
    co_return last;
  }

  // --- streams ---------------------------------------------------------------------------

  asio::awaitable<util::Result<Stream>> open_on(std::shared_ptr<Connection> conn,
                                                std::vector<std::string> protocols) {
    if (protocols.empty()) co_return make_error(Errc::kInvalidArgument, "no protocol given");
    auto state = conn->open_stream();
    if (!state) co_return state.error();
    conn.reset();  // the stream holds the connection weakly, like every other stream
    Stream stream(*state);
    auto negotiator = Negotiator::dialer(std::move(protocols));
    auto status =
        co_await negotiate_stream(stream, **state, negotiator, config_.negotiation_timeout);
    if (!status) {
      stream.reset();
      co_return status.error();
    }
    co_return stream;
  }

  asio::awaitable<util::Result<Stream>> new_stream(crypto::PeerId peer,
                                                   std::vector<std::string> protocols) {
    auto conn = co_await connection_to(peer);
    if (!conn) co_return conn.error();
    co_return co_await open_on(std::move(*conn), std::move(protocols));
  }

  void on_reads_paused(Connection& conn) override {
    ++stats_.reads_paused;
    logger()->debug("{} does not read what it makes us answer: reading paused",
                    conn.remote_peer().to_base58());
  }

  void on_inbound_stream(const std::shared_ptr<Connection>&,
                         std::shared_ptr<StreamState> state) override {
    tasks_.spawn(serve_stream(shared_from_this(), std::move(state)), "inbound stream");
  }

  std::vector<std::string> protocols() const {
    std::vector<std::string> out;
    out.reserve(handlers_.size());
    for (const auto& [protocol, handler] : handlers_) out.push_back(protocol);
    return out;
  }

  asio::awaitable<void> serve_stream(std::shared_ptr<Impl> self, std::shared_ptr<StreamState> state) {
    Stream stream(state);
    auto negotiator = Negotiator::listener(protocols(), [this](std::string_view p) {
      return handlers_.find(p) != handlers_.end();
    });
    auto status =
        co_await negotiate_stream(stream, *state, negotiator, config_.negotiation_timeout);
    if (destroyed_) {
      stream.reset();
      co_return;
    }
    if (!status) {
      logger()->debug("inbound stream from {} not negotiated: {}", state->remote_peer.to_base58(),
                      status.error().describe());
      stream.reset();
      co_return;
    }
    auto it = handlers_.find(state->protocol);
    if (it == handlers_.end()) {
      stream.reset();
      co_return;
    }
    StreamHandler handler = it->second;  // a copy: the handler may be replaced meanwhile
    state.reset();
    co_await handler(std::move(stream));
  }

  asio::awaitable<util::Result<std::chrono::nanoseconds>> ping(crypto::PeerId peer) {
    std::vector<std::string> protocols{std::string(ping::kProtocolId)};
    auto stream = co_await new_stream(peer, std::move(protocols));
    if (!stream) co_return stream.error();
    co_return co_await ping_once(std::move(*stream));
  }

  // --- identify --------------------------------------------------------------------------

  // Our identify message for a peer that reaches us from `observed`.
  identify::IdentifyInfo identify_info(const Multiaddr& observed) const {
    identify::IdentifyInfo info;
    info.protocol_version = std::string(identify::kProtocolVersion);
    info.agent_version = config_.agent_version;
    info.public_key = identity_.public_key().to_protobuf();
    for (const auto& addr : advertised_addrs()) info.listen_addrs.push_back(addr.bytes());
    if (!observed.empty()) info.observed_addr = observed.bytes();
    info.protocols = protocols();
    return info;
  }

  std::vector<Multiaddr> advertised_addrs() const {
    std::vector<Multiaddr> out;
    for (const auto& addr : bound_) {
      for (auto& expanded : expand_unspecified(addr)) {
        if (std::find(out.begin(), out.end(), expanded) == out.end())
          out.push_back(std::move(expanded));
      }
    }
    return out;
  }

  asio::awaitable<void> identify_connection(std::shared_ptr<Impl> self,
                                            std::shared_ptr<Connection> conn) {
    const crypto::PeerId peer = conn->remote_peer();
    std::vector<std::string> protocols{std::string(identify::kProtocolId)};
    auto stream = co_await open_on(conn, std::move(protocols));
    if (destroyed_) co_return;
    if (!stream) {
      logger()->debug("identify with {} failed: {}", peer.to_base58(), stream.error().describe());
      co_return;
    }
    auto status = co_await read_identify(peerstore_, *stream);
    if (destroyed_) co_return;
    if (!status) {
      logger()->debug("identify from {} rejected: {}", peer.to_base58(), status.error().describe());
      co_return;
    }
    if (conn->closed()) co_return;
    identified_.insert(peer);
    for (const auto& callback : identified_callbacks_) callback(peer);
  }

  void schedule_push() {
    if (!config_.enable_identify || push_scheduled_ || connections_.empty()) {
      return;
    }
    push_scheduled_ = true;
    tasks_.spawn(push_all(shared_from_this()), "identify push");
  }

  asio::awaitable<void> push_all(std::shared_ptr<Impl> self) {
    // Yield once so several handler changes in a row make one push.
    co_await asio::post(executor_, asio::use_awaitable);
    push_scheduled_ = false;
    for (const auto& peer : connected_peers()) {
      // Checked after every suspension, the previous push's included (it used to be skipped).
      if (closing_) co_return;
      if (!identified_.count(peer) || !peerstore_.supports(peer, identify::kPushProtocolId)) {
        continue;
      }
      auto conn = live_connection(peer);
      if (!conn) continue;
      std::vector<std::string> protocols{std::string(identify::kPushProtocolId)};
      auto stream = co_await open_on(conn, std::move(protocols));
      if (closing_) co_return;
      if (stream) (void)co_await send_identify(identify_info(stream->remote_addr()), *stream);
    }
  }

  std::vector<crypto::PeerId> connected_peers() const {
    std::vector<crypto::PeerId> out;
    for (const auto& [peer, list] : connections_) {
      if (live_connection(peer)) out.push_back(peer);
    }
    return out;
  }

  // --- closing ---------------------------------------------------------------------------

  asio::awaitable<void> close_all(std::optional<crypto::PeerId> only) {
    std::vector<std::shared_ptr<Connection>> closing;
    for (const auto& [peer, list] : connections_) {
      if (only && peer != *only) continue;
      closing.insert(closing.end(), list.begin(), list.end());
    }
    for (auto& conn : closing) co_await conn->close_gracefully(std::chrono::seconds(2));
  }

  asio::awaitable<void> close() {
    closing_ = true;
    for (auto& acceptor : acceptors_) {
      asio::error_code ignored;
      acceptor->close(ignored);
    }
    co_await close_all(std::nullopt);
    tasks_.cancel();
    co_await tasks_.wait();
  }

  asio::any_io_executor executor_;
  crypto::PrivateKey identity_;
  crypto::PeerId peer_id_;
  HostConfig config_;
  bool destroyed_ = false;  // the facade is gone
  bool closing_ = false;    // close() began, or the facade is gone: no new connections
  bool push_scheduled_ = false;
  uint64_t next_serial_ = 1;
  size_t inbound_count_ = 0;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::vector<Multiaddr> bound_;
  std::unordered_map<crypto::PeerId, std::vector<std::shared_ptr<Connection>>> connections_;
  std::unordered_map<crypto::PeerId, std::shared_ptr<PendingDial>> dials_;
  std::map<std::string, StreamHandler, std::less<>> handlers_;
  std::unordered_set<crypto::PeerId> identified_;
  Peerstore peerstore_;
  HostStats stats_;
  std::function<bool(const Multiaddr&)> dial_filter_;
  Host::ConnectionGate gate_;
  std::vector<PeerCallback> connected_callbacks_;
  std::vector<PeerCallback> disconnected_callbacks_;
  std::vector<PeerCallback> identified_callbacks_;
  // Last: destroyed first, while what its tasks wait on still exists.
  task::TaskGroup tasks_;
};

// --- Host ------------------------------------------------------------------------------------

namespace {

// The facade's coroutines: `inner` (a coroutine of the Impl) runs with the Impl held, so it may
// outlive the Host that started it.
template <class T>
asio::awaitable<T> holding(std::shared_ptr<Host::Impl> impl, asio::awaitable<T> inner) {
  co_return co_await std::move(inner);
}
asio::awaitable<void> holding(std::shared_ptr<Host::Impl> impl, asio::awaitable<void> inner) {
  co_await std::move(inner);
}

}  // namespace

Host::Host(asio::io_context& io, crypto::PrivateKey identity, HostConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(identity), std::move(config))) {}

Host::~Host() {
  impl_->shutdown();
}

util::Status Host::start() {
  return impl_->start();
}
asio::awaitable<void> Host::close() {
  return holding(impl_, impl_->close());
}
const crypto::PeerId& Host::peer_id() const {
  return impl_->peer_id_;
}
crypto::PublicKey Host::public_key() const {
  return impl_->identity_.public_key();
}
const std::string& Host::agent_version() const {
  return impl_->config_.agent_version;
}
std::vector<Multiaddr> Host::listen_addrs() const {
  return impl_->bound_;
}

std::vector<Multiaddr> Host::advertised_addrs() const {
  return impl_->advertised_addrs();
}

asio::awaitable<util::Result<crypto::PeerId>> Host::connect(const Multiaddr& addr) {
  return holding(impl_, impl_->connect(addr));
}

asio::awaitable<util::Result<Stream>> Host::new_stream(const crypto::PeerId& peer,
                                                       std::vector<std::string> protocols) {
  return holding(impl_, impl_->new_stream(peer, std::move(protocols)));
}

asio::awaitable<void> Host::disconnect(const crypto::PeerId& peer) {
  return holding(impl_, impl_->close_all(peer));
}

void Host::set_stream_handler(const std::string& protocol, StreamHandler handler) {
  impl_->handlers_[protocol] = std::move(handler);
  impl_->schedule_push();
}

void Host::remove_stream_handler(const std::string& protocol) {
  if (impl_->handlers_.erase(protocol) > 0) impl_->schedule_push();
}

std::vector<std::string> Host::protocols() const {
  return impl_->protocols();
}

asio::awaitable<util::Result<std::chrono::nanoseconds>> Host::ping(const crypto::PeerId& peer) {
  return holding(impl_, impl_->ping(peer));
}

Peerstore& Host::peerstore() {
  return impl_->peerstore_;
}
const Peerstore& Host::peerstore() const {
  return impl_->peerstore_;
}
bool Host::is_connected(const crypto::PeerId& peer) const {
  return impl_->live_connection(peer) != nullptr;
}
bool Host::is_outbound(const crypto::PeerId& peer) const {
  auto conn = impl_->live_connection(peer);
  return conn != nullptr && conn->info().direction == Direction::kOutbound;
}
bool Host::is_identified(const crypto::PeerId& peer) const {
  return impl_->identified_.count(peer) != 0;
}

std::vector<crypto::PeerId> Host::connected_peers() const {
  return impl_->connected_peers();
}

size_t Host::connection_count() const {
  size_t count = 0;
  for (const auto& [peer, list] : impl_->connections_) count += list.size();
  return count;
}

HostStats Host::stats() const {
  return impl_->stats_;
}
void Host::set_dial_filter(std::function<bool(const Multiaddr&)> allow) {
  impl_->dial_filter_ = std::move(allow);
}

void Host::set_connection_gate(ConnectionGate allow) {
  impl_->gate_ = std::move(allow);
}

void Host::on_peer_connected(PeerCallback callback) {
  impl_->connected_callbacks_.push_back(std::move(callback));
}
void Host::on_peer_disconnected(PeerCallback callback) {
  impl_->disconnected_callbacks_.push_back(std::move(callback));
}
void Host::on_peer_identified(PeerCallback callback) {
  impl_->identified_callbacks_.push_back(std::move(callback));
}

}  // namespace edgevpn::p2p::host
