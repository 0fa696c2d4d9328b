// Dialling: connect() with one dial per peer at a time (later callers join it), the dial filter
// and the connection gate, the transport (TCP today: a relay transport takes /p2p-circuit
// addresses here, and a dial from the listen port binds here), the outbound upgrade; and
// connection_to(), which dials the peerstore's addresses of a peer we hold no connection to.
// Part of HostCore (host_core.hpp).
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include "crypto/peer_id.hpp"
#include "p2p/host/connection.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

class HostCore;

class Dialer {
 public:
  explicit Dialer(HostCore& core) : core_(core) {}

  // Addresses for which `allow` returns false are never dialled.
  void set_filter(std::function<bool(const Multiaddr&)> allow) { filter_ = std::move(allow); }

  // Connects to `addr` (/ip4|ip6/.../tcp/N[/p2p/<id>]); with a peer ID, a live connection is
  // reused and a dial under way is joined.
  asio::awaitable<util::Result<crypto::PeerId>> connect(Multiaddr addr);
  // A live connection to `peer`, dialling its known addresses in turn when there is none.
  asio::awaitable<util::Result<std::shared_ptr<Connection>>> connection_to(crypto::PeerId peer);

 private:
  struct PendingDial;

  asio::awaitable<util::Result<crypto::PeerId>> dial(Multiaddr addr,
                                                     std::optional<crypto::PeerId> expected);

  HostCore& core_;
  std::function<bool(const Multiaddr&)> filter_;
  std::unordered_map<crypto::PeerId, std::shared_ptr<PendingDial>> pending_;
};

}  // namespace edgevpn::p2p::host
