// Connection bookkeeping: the connections by peer, which peers finished identify, the inbound
// connections counted against the limit, and the peer callbacks. The ConnectionObserver of every
// connection. Part of HostCore (host_core.hpp).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/host/connection.hpp"
#include "p2p/host/host.hpp"
#include "p2p/host/upgrader.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

class HostCore;

class ConnectionTable final : public ConnectionObserver {
 public:
  explicit ConnectionTable(HostCore& core) : core_(core) {}

  // Makes an upgraded socket a connection: starts it, records it, announces a new peer and runs
  // identify on it. `dialled` (outbound) goes to the peerstore.
  std::shared_ptr<Connection> add(asio::ip::tcp::socket socket, Upgraded upgraded,
                                  Direction direction, std::optional<Multiaddr> dialled);

  // The first open connection to `peer`, if any.
  std::shared_ptr<Connection> live(const crypto::PeerId& peer) const;
  std::vector<crypto::PeerId> connected_peers() const;
  size_t count() const;

  // Inbound sockets, from accept() until their connection closes: a slot is taken when one is
  // accepted (false at the limit) and given back when it does not become a connection.
  bool take_inbound_slot();
  void release_inbound_slot();

  // Identify with `peer` finished on the current connection (forgotten when the last closes).
  void mark_identified(const crypto::PeerId& peer);
  bool is_identified(const crypto::PeerId& peer) const;

  // GoAway and close every connection (or those to `only`), letting queued bytes go out.
  asio::awaitable<void> close_gracefully(std::optional<crypto::PeerId> only);
  // Closes every connection at once, without callbacks.
  void abort_all(const util::Error& why);

  void on_peer_connected(PeerCallback callback);
  void on_peer_disconnected(PeerCallback callback);
  void on_peer_identified(PeerCallback callback);

  // ConnectionObserver
  void on_inbound_stream(const std::shared_ptr<Connection>& connection,
                         std::shared_ptr<StreamState> stream) override;
  void on_connection_closed(Connection& connection, const util::Error& why) override;
  void on_reads_paused(Connection& connection) override;

 private:
  HostCore& core_;
  uint64_t next_serial_ = 1;
  size_t inbound_count_ = 0;
  std::unordered_map<crypto::PeerId, std::vector<std::shared_ptr<Connection>>> connections_;
  std::unordered_set<crypto::PeerId> identified_;
  std::vector<PeerCallback> connected_callbacks_;
  std::vector<PeerCallback> disconnected_callbacks_;
  std::vector<PeerCallback> identified_callbacks_;
};

}  // namespace edgevpn::p2p::host
