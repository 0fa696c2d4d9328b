// The libp2p host: listens and dials over TCP, upgrades connections (Noise + yamux), routes
// inbound streams to protocol handlers, runs identify and ping, and keeps a peerstore.
// Everything runs on one asio::io_context; call the host from that context's thread.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/host/peerstore.hpp"
#include "p2p/host/stream.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/yamux/yamux_config.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::p2p::host {

class HostCore;

struct HostConfig {
  HostConfig();

  // /ip4|ip6/<ip>/tcp/<port>; port 0 picks a free port (listen_addrs() reports it).
  std::vector<Multiaddr> listen_addrs;
  std::string agent_version;  // default: edgevpn/<version>
  size_t max_inbound_connections = 512;
  // Stream limits (max_inbound_streams / max_outbound_streams), windows, keepalive.
  yamux::Config yamux;
  std::chrono::milliseconds dial_timeout{10000};
  // TCP connected to yamux running; the socket is closed when it takes longer.
  std::chrono::milliseconds upgrade_timeout{15000};
  // multistream-select on a new stream.
  std::chrono::milliseconds negotiation_timeout{10000};
  // A connection stops taking writes while this much is queued for the socket.
  size_t max_send_backlog = 2 * 1024 * 1024;
  bool enable_identify = true;
  bool enable_ping = true;
};

using StreamHandler = std::function<asio::awaitable<void>(Stream)>;
using PeerCallback = std::function<void(const crypto::PeerId&)>;

struct HostStats {
  uint64_t inbound_connections = 0;   // accepted and upgraded
  uint64_t outbound_connections = 0;  // dialled and upgraded
  uint64_t rejected_connections = 0;  // over max_inbound_connections
  uint64_t failed_upgrades = 0;       // handshake or negotiation failed
  // Connections dropped because the peer broke a protocol (bad frames, bad crypto, oversized).
  uint64_t protocol_errors = 0;
  // Times a connection stopped being read because its peer did not read what it made us answer.
  uint64_t reads_paused = 0;
  // accept() failures (out of file descriptors, say); the listener waits longer after each.
  uint64_t accept_errors = 0;
};

class Host {
 public:
  Host(asio::io_context& io, crypto::PrivateKey identity, HostConfig config = {});
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Binds every listen address and starts accepting. Fails when an address cannot be bound.
  util::Status start();
  // Stops listening, says GoAway on every connection and closes them.
  asio::awaitable<void> close();

  const crypto::PeerId& peer_id() const;
  crypto::PublicKey public_key() const;
  const std::string& agent_version() const;
  // Bound addresses, real ports filled in.
  std::vector<Multiaddr> listen_addrs() const;
  // What identify advertises: listen addresses with 0.0.0.0 / :: expanded to the interfaces'.
  std::vector<Multiaddr> advertised_addrs() const;

  // Connects to /ip4|ip6/<ip>/tcp/<port>[/p2p/<id>] (reusing a live connection to that peer).
  // With /p2p/<id>, a peer proving another identity in the Noise handshake is refused.
  asio::awaitable<util::Result<crypto::PeerId>> connect(const Multiaddr& addr);
  // Opens a stream to `peer` (dialling the peerstore's addresses when not connected) and
  // agrees on the first of `protocols` the peer supports.
  asio::awaitable<util::Result<Stream>> new_stream(const crypto::PeerId& peer,
                                                   std::vector<std::string> protocols);
  // Closes every connection to `peer`.
  asio::awaitable<void> disconnect(const crypto::PeerId& peer);

  // Inbound streams agreeing on `protocol` run `handler`. Changing handlers pushes identify.
  void set_stream_handler(const std::string& protocol, StreamHandler handler);
  void remove_stream_handler(const std::string& protocol);
  std::vector<std::string> protocols() const;

  // Round trip of one /ipfs/ping/1.0.0 exchange.
  asio::awaitable<util::Result<std::chrono::nanoseconds>> ping(const crypto::PeerId& peer);

  Peerstore& peerstore();
  const Peerstore& peerstore() const;
  bool is_connected(const crypto::PeerId& peer) const;
  // True when the live connection to `peer` is one we dialled.
  bool is_outbound(const crypto::PeerId& peer) const;
  // True once identify with `peer` finished on the current connection.
  bool is_identified(const crypto::PeerId& peer) const;
  std::vector<crypto::PeerId> connected_peers() const;
  size_t connection_count() const;
  HostStats stats() const;

  // Connection gater: addresses for which `allow` returns false are never dialled (the VPN's
  // own subnet, blacklists). One filter; setting it again replaces it.
  void set_dial_filter(std::function<bool(const Multiaddr&)> allow);
  // Blacklist gate, both directions: asked with the remote address (and the peer when known)
  // before dialling or upgrading, and with the proven peer after the handshake; refused
  // connections are closed and counted in rejected_connections. Independent of the dial filter.
  using ConnectionGate = std::function<bool(const Multiaddr& remote, const crypto::PeerId* peer)>;
  void set_connection_gate(ConnectionGate allow);

  // First connection to a peer opened / last one closed / identify finished.
  void on_peer_connected(PeerCallback callback);
  void on_peer_disconnected(PeerCallback callback);
  void on_peer_identified(PeerCallback callback);

 private:
  // The state and its parts, held by the facade and by the host's coroutines (host_core.hpp).
  std::shared_ptr<HostCore> core_;
};

}  // namespace edgevpn::p2p::host
