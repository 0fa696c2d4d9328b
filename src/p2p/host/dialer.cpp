// Dialer: one dial per peer at a time, filters and gate, TCP, outbound upgrade.
#include "p2p/host/dialer.hpp"

#include "p2p/host/async_signal.hpp"
#include "p2p/host/host_core.hpp"
#include "p2p/host/tcp_transport.hpp"
#include "p2p/host/upgrader.hpp"

namespace edgevpn::p2p::host {

using util::Errc;
using util::make_error;

struct Dialer::PendingDial {
  explicit PendingDial(const asio::any_io_executor& executor) : done(executor) {}
  AsyncSignal done;
  std::optional<util::Result<crypto::PeerId>> result;
};

asio::awaitable<util::Result<crypto::PeerId>> Dialer::connect(Multiaddr addr) {
  const auto expected = addr.peer_id();
  if (!expected) co_return co_await dial(std::move(addr), std::nullopt);
  if (*expected == core_.peer_id) {
    co_return make_error(Errc::kInvalidArgument, "dialling ourselves");
  }
  if (core_.connections.live(*expected)) co_return *expected;
  if (auto it = pending_.find(*expected); it != pending_.end()) {
    auto pending = it->second;
    while (!pending->result) co_await pending->done.wait();
    co_return *pending->result;
  }
  auto pending = std::make_shared<PendingDial>(core_.executor);
  pending_[*expected] = pending;
  // Dials joining this one get its result, also when it ends by an exception (its caller was
  // cancelled): they must not wait for ever.
  struct Finish {
    ~Finish() {
      if (!pending->result) pending->result = make_error(Errc::kClosed, "dial abandoned");
      pending->done.notify();
      dialer->pending_.erase(peer);
    }
    Dialer* dialer;
    crypto::PeerId peer;
    std::shared_ptr<PendingDial> pending;
  } finish{this, *expected, pending};
  pending->result = co_await dial(std::move(addr), expected);
  co_return *pending->result;
}

asio::awaitable<util::Result<crypto::PeerId>> Dialer::dial(Multiaddr addr,
                                                           std::optional<crypto::PeerId> expected) {
  if (core_.closing) co_return make_error(Errc::kClosed, "host is closing");
  if (filter_ && !filter_(addr)) {
    co_return make_error(Errc::kInvalidArgument, "address " + addr.to_string() + " is blocked");
  }
  if (!core_.gate_allows(addr.without_peer_id(), expected ? &*expected : nullptr)) {
    co_return make_error(Errc::kInvalidArgument, "address " + addr.to_string() + " is blacklisted");
  }
  // The transport: TCP. (A relay transport would take /p2p-circuit addresses here; dialling from
  // the listen port would bind the socket to it here.)
  auto endpoint = to_endpoint(addr);
  if (!endpoint) co_return endpoint.error();
  auto socket = co_await dial_tcp(core_.executor, *endpoint, core_.config.dial_timeout);
  if (core_.closing) co_return make_error(Errc::kClosed, "host closed");
  if (!socket) co_return socket.error();
  auto upgraded = co_await upgrade_connection(*socket, true, core_.identity, expected,
                                              core_.config.upgrade_timeout);
  if (core_.closing) co_return make_error(Errc::kClosed, "host closed");
  if (!upgraded) {
    core_.count_upgrade_failure(upgraded.error());
    co_return upgraded.error();
  }
  const crypto::PeerId peer = upgraded->security.remote_peer;
  if (!core_.gate_allows(addr.without_peer_id(), &peer)) {
    asio::error_code ignored;
    socket->close(ignored);
    co_return make_error(Errc::kInvalidArgument, "peer " + peer.to_base58() + " is blacklisted");
  }
  core_.connections.add(std::move(*socket), std::move(*upgraded), Direction::kOutbound,
                        addr.without_peer_id());
  co_return peer;
}

asio::awaitable<util::Result<std::shared_ptr<Connection>>> Dialer::connection_to(
    crypto::PeerId peer) {
  if (auto conn = core_.connections.live(peer)) co_return conn;
  if (peer == core_.peer_id) co_return make_error(Errc::kInvalidArgument, "dialling ourselves");
  const auto addrs = core_.peerstore.addrs(peer);
  if (addrs.empty()) {
    co_return make_error(Errc::kNotFound, "no address known for " + peer.to_base58());
  }
  util::Error last = make_error(Errc::kNotFound, "no address worked");
  for (const auto& addr : addrs) {
    auto result = co_await connect(addr.with_peer_id(peer));
    if (result) {
      if (auto conn = core_.connections.live(peer)) co_return conn;
    } else {
      last = result.error();
    }
  }
  co_return last;
}

}  // namespace edgevpn::p2p::host
