// Host: listeners, dialling, connection bookkeeping, stream routing, identify and ping wiring.
#include "p2p/host/host.hpp"

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

class Host::Impl final : public ConnectionObserver {
 public:
  Impl(Host& host, asio::io_context& io, crypto::PrivateKey identity, HostConfig config)
      : host_(host),
        executor_(io.get_executor()),
        identity_(std::move(identity)),
        peer_id_(crypto::PeerId::from_public_key(identity_.public_key())),
        config_(std::move(config)),
        tasks_(executor_, "host") {}

  ~Impl() override {
    *alive_ = false;
    destroying_ = true;
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
      handlers_[std::string(identify::kProtocolId)] = [this](Stream s) {
        return serve_identify(host_, std::move(s));
      };
      handlers_[std::string(identify::kPushProtocolId)] = [this](Stream s) {
        return serve_identify_push(host_, std::move(s));
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
      tasks_.spawn(accept_loop(owned.get(), alive_), "accept loop");
      acceptors_.push_back(std::move(owned));
    }
    return {};
  }

  asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor* acceptor,
                                    std::shared_ptr<bool> alive) {
    for (;;) {
      asio::error_code ec;
      auto socket = co_await acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive || closing_) co_return;
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
      tasks_.spawn(handle_inbound(std::move(socket), alive), "inbound upgrade");
    }
  }

  asio::awaitable<void> handle_inbound(asio::ip::tcp::socket socket, std::shared_ptr<bool> alive) {
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
    if (!*alive) co_return;
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
      tasks_.spawn(identify_connection(conn, alive_), "identify");
    }
    return conn;
  }

  void on_connection_closed(Connection& conn, const util::Error& why) override {
    if (destroying_) return;
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
    auto alive = alive_;
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
      dials_[*expected] = pending;
    }
    // Dials joining this one get its result, also when it ends by an exception (its caller was
    // cancelled): they must not wait for ever.
    struct Finish {
      ~Finish() {
        if (!pending) return;
        if (!pending->result) pending->result = make_error(Errc::kClosed, "dial abandoned");
        pending->done.notify();
        if (*alive) impl->dials_.erase(pending->peer);
      }
      Impl* impl;
      std::shared_ptr<bool> alive;
      std::shared_ptr<PendingDial> pending;
    } finish{this, alive, pending};
    if (pending) pending->peer = *expected;
    auto result = co_await dial(addr, expected);
    if (pending) pending->result = result;
    if (!*alive) co_return make_error(Errc::kClosed, "host closed");
    co_return result;
  }

  asio::awaitable<util::Result<crypto::PeerId>> dial(Multiaddr addr,
                                                     std::optional<crypto::PeerId> expected) {
    auto alive = alive_;
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
    if (!*alive) co_return make_error(Errc::kClosed, "host closed");
    if (!socket) co_return socket.error();
    auto upgraded =
        co_await upgrade_connection(*socket, true, identity_, expected, config_.upgrade_timeout);
    if (!*alive) co_return make_error(Errc::kClosed, "host closed");
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
    tasks_.spawn(serve_stream(std::move(state), alive_), "inbound stream");
  }

  asio::awaitable<void> serve_stream(std::shared_ptr<StreamState> state,
                                     std::shared_ptr<bool> alive) {
    Stream stream(state);
    auto negotiator = Negotiator::listener(host_.protocols(), [this, alive](std::string_view p) {
      return *alive && handlers_.find(p) != handlers_.end();
    });
    auto status =
        co_await negotiate_stream(stream, *state, negotiator, config_.negotiation_timeout);
    if (!*alive) co_return;
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

  // --- identify --------------------------------------------------------------------------

  asio::awaitable<void> identify_connection(std::shared_ptr<Connection> conn,
                                            std::shared_ptr<bool> alive) {
    const crypto::PeerId peer = conn->remote_peer();
    std::vector<std::string> protocols{std::string(identify::kProtocolId)};
    auto stream = co_await open_on(conn, std::move(protocols));
    if (!*alive) co_return;
    if (!stream) {
      logger()->debug("identify with {} failed: {}", peer.to_base58(), stream.error().describe());
      co_return;
    }
    auto status = co_await read_identify(host_, *stream);
    if (!*alive) co_return;
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
    tasks_.spawn(push_all(alive_), "identify push");
  }

  asio::awaitable<void> push_all(std::shared_ptr<bool> alive) {
    // Yield once so several handler changes in a row make one push.
    co_await asio::post(executor_, asio::use_awaitable);
    if (!*alive) co_return;
    push_scheduled_ = false;
    for (const auto& peer : host_.connected_peers()) {
      if (!identified_.count(peer) || !peerstore_.supports(peer, identify::kPushProtocolId)) {
        continue;
      }
      auto conn = live_connection(peer);
      if (!conn) continue;
      std::vector<std::string> protocols{std::string(identify::kPushProtocolId)};
      auto stream = co_await open_on(conn, std::move(protocols));
      if (!*alive) co_return;
      if (stream) (void)co_await send_identify_push(host_, *stream);
    }
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

  Host& host_;
  asio::any_io_executor executor_;
  crypto::PrivateKey identity_;
  crypto::PeerId peer_id_;
  HostConfig config_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool destroying_ = false;
  bool closing_ = false;
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

Host::Host(asio::io_context& io, crypto::PrivateKey identity, HostConfig config)
    : impl_(std::make_unique<Impl>(*this, io, std::move(identity), std::move(config))) {}

Host::~Host() = default;

util::Status Host::start() {
  return impl_->start();
}
asio::awaitable<void> Host::close() {
  return impl_->close();
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
  std::vector<Multiaddr> out;
  for (const auto& addr : impl_->bound_) {
    for (auto& expanded : expand_unspecified(addr)) {
      if (std::find(out.begin(), out.end(), expanded) == out.end())
        out.push_back(std::move(expanded));
    }
  }
  return out;
}

asio::awaitable<util::Result<crypto::PeerId>> Host::connect(const Multiaddr& addr) {
  return impl_->connect(addr);
}

asio::awaitable<util::Result<Stream>> Host::new_stream(const crypto::PeerId& peer,
                                                       std::vector<std::string> protocols) {
  return impl_->new_stream(peer, std::move(protocols));
}

asio::awaitable<void> Host::disconnect(const crypto::PeerId& peer) {
  return impl_->close_all(peer);
}

void Host::set_stream_handler(const std::string& protocol, StreamHandler handler) {
  impl_->handlers_[protocol] = std::move(handler);
  impl_->schedule_push();
}

void Host::remove_stream_handler(const std::string& protocol) {
  if (impl_->handlers_.erase(protocol) > 0) impl_->schedule_push();
}

std::vector<std::string> Host::protocols() const {
  std::vector<std::string> out;
  out.reserve(impl_->handlers_.size());
  for (const auto& [protocol, handler] : impl_->handlers_) out.push_back(protocol);
  return out;
}

asio::awaitable<util::Result<std::chrono::nanoseconds>> Host::ping(const crypto::PeerId& peer) {
  std::vector<std::string> protocols{std::string(ping::kProtocolId)};
  auto stream = co_await impl_->new_stream(peer, std::move(protocols));
  if (!stream) co_return stream.error();
  co_return co_await ping_once(std::move(*stream));
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
  std::vector<crypto::PeerId> out;
  for (const auto& [peer, list] : impl_->connections_) {
    if (impl_->live_connection(peer)) out.push_back(peer);
  }
  return out;
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
