// The host's shared state and its parts, one concern each: listening (listener), dialling
// (dialer), connection bookkeeping (connection_table), protocol routing of streams
// (stream_router) and identify/push (identify_service). Host (host.hpp) is the facade; this
// header is internal to p2p/host.
//
// Lifetime: the core is held by the facade and by every coroutine of the host (a background
// coroutine takes `std::shared_ptr<HostCore> self`; a facade coroutine holds the core while it
// runs), so the core and its parts are valid in all of them. What the owner gave us (callbacks,
// the gate, the dial filter, stream handlers) outlives only the facade: once `destroyed` is set
// nothing calls it. Every coroutine runs in `tasks`, which close() cancels and awaits and the
// facade's destructor cancels.
#pragma once

#include <asio/awaitable.hpp>
#include <memory>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/host/connection_table.hpp"
#include "p2p/host/dialer.hpp"
#include "p2p/host/host.hpp"
#include "p2p/host/identify_service.hpp"
#include "p2p/host/listener.hpp"
#include "p2p/host/peerstore.hpp"
#include "p2p/host/stream_router.hpp"
#include "util/result.hpp"
#include "util/task/task_group.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::p2p::host {

// Errors that mean the peer broke a protocol (counted in HostStats::protocol_errors).
bool is_protocol_violation(util::Errc code);

class HostCore : public std::enable_shared_from_this<HostCore> {
 public:
  HostCore(asio::io_context& io, crypto::PrivateKey identity, HostConfig config);
  HostCore(const HostCore&) = delete;
  HostCore& operator=(const HostCore&) = delete;

  util::Status start();
  // Stops listening, closes every connection gracefully, then cancels and awaits every task.
  asio::awaitable<void> close();
  // The facade is being destroyed: stop listening, drop every connection, cancel every task.
  void shutdown();

  // The blacklist gate (both directions); refusals are counted.
  bool gate_allows(const Multiaddr& remote, const crypto::PeerId* peer);
  void count_upgrade_failure(const util::Error& error);

  const asio::any_io_executor executor;
  const crypto::PrivateKey identity;
  const crypto::PeerId peer_id;
  const HostConfig config;
  Peerstore peerstore;
  HostStats stats;
  Host::ConnectionGate gate;
  bool closing = false;    // close() began, or the facade is gone: no new connections
  bool destroyed = false;  // the facade is gone: nothing calls into the owner any more

  StreamRouter streams;
  ConnectionTable connections;
  IdentifyService identify;
  Dialer dialer;
  Listener listener;
  // Last: destroyed first, while what its tasks wait on still exists.
  task::TaskGroup tasks;
};

}  // namespace edgevpn::p2p::host
