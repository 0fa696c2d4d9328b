// ConnectionTable: adding, finding and closing connections, and what their closing changes.
#include "p2p/host/connection_table.hpp"

#include "p2p/host/host_core.hpp"
#include "p2p/host/tcp_transport.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::host {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.host");
  return log;
}

}  // namespace

std::shared_ptr<Connection> ConnectionTable::add(asio::ip::tcp::socket socket, Upgraded upgraded,
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
  limits.max_send_backlog = core_.config.max_send_backlog;
  const auto role = direction == Direction::kOutbound ? yamux::Role::kClient : yamux::Role::kServer;
  auto conn = std::make_shared<Connection>(
      std::move(socket), std::move(upgraded.security.transport),
      std::move(upgraded.early_plaintext), info, role, core_.config.yamux, limits, *this);
  const crypto::PeerId peer = info.remote_peer;
  auto& list = connections_[peer];
  const bool first = list.empty();
  list.push_back(conn);
  if (direction == Direction::kOutbound) {
    ++core_.stats.outbound_connections;
  } else {
    ++core_.stats.inbound_connections;
  }
  core_.peerstore.set_public_key(peer, upgraded.security.remote_key);
  if (dialled) core_.peerstore.add_addrs(peer, {*dialled});
  logger()->debug("connected to {} at {} ({})", peer.to_base58(), info.remote_addr.to_string(),
                  direction == Direction::kOutbound ? "outbound" : "inbound");
  conn->start(core_.tasks);
  if (first) {
    for (const auto& callback : connected_callbacks_) callback(peer);
  }
  if (core_.config.enable_identify) core_.identify.on_connection(conn);
  return conn;
}

std::shared_ptr<Connection> ConnectionTable::live(const crypto::PeerId& peer) const {
  auto it = connections_.find(peer);
  if (it == connections_.end()) return nullptr;
  for (const auto& conn : it->second) {
    if (!conn->closed()) return conn;
  }
  return nullptr;
}

std::vector<crypto::PeerId> ConnectionTable::connected_peers() const {
  std::vector<crypto::PeerId> out;
  for (const auto& [peer, list] : connections_) {
    if (live(peer)) out.push_back(peer);
  }
  return out;
}

size_t ConnectionTable::count() const {
  size_t count = 0;
  for (const auto& [peer, list] : connections_) count += list.size();
  return count;
}

bool ConnectionTable::take_inbound_slot() {
  if (inbound_count_ >= core_.config.max_inbound_connections) return false;
  ++inbound_count_;
  return true;
}

void ConnectionTable::release_inbound_slot() {
  if (inbound_count_ > 0) --inbound_count_;
}

void ConnectionTable::mark_identified(const crypto::PeerId& peer) {
  identified_.insert(peer);
  for (const auto& callback : identified_callbacks_) callback(peer);
}

bool ConnectionTable::is_identified(const crypto::PeerId& peer) const {
  return identified_.count(peer) != 0;
}

asio::awaitable<void> ConnectionTable::close_gracefully(std::optional<crypto::PeerId> only) {
  std::vector<std::shared_ptr<Connection>> closing;
  for (const auto& [peer, list] : connections_) {
    if (only && peer != *only) continue;
    closing.insert(closing.end(), list.begin(), list.end());
  }
  for (auto& conn : closing) co_await conn->close_gracefully(std::chrono::seconds(2));
}

void ConnectionTable::abort_all(const util::Error& why) {
  auto connections = std::move(connections_);
  connections_.clear();
  for (auto& [peer, list] : connections) {
    for (auto& conn : list) conn->abort(why);
  }
}

void ConnectionTable::on_peer_connected(PeerCallback callback) {
  connected_callbacks_.push_back(std::move(callback));
}
void ConnectionTable::on_peer_disconnected(PeerCallback callback) {
  disconnected_callbacks_.push_back(std::move(callback));
}
void ConnectionTable::on_peer_identified(PeerCallback callback) {
  identified_callbacks_.push_back(std::move(callback));
}

void ConnectionTable::on_inbound_stream(const std::shared_ptr<Connection>&,
                                        std::shared_ptr<StreamState> state) {
  core_.streams.serve(std::move(state));
}

void ConnectionTable::on_reads_paused(Connection& conn) {
  ++core_.stats.reads_paused;
  logger()->debug("{} does not read what it makes us answer: reading paused",
                  conn.remote_peer().to_base58());
}

void ConnectionTable::on_connection_closed(Connection& conn, const util::Error& why) {
  if (core_.destroyed) return;
  if (is_protocol_violation(why.code)) {
    ++core_.stats.protocol_errors;
    logger()->info("dropped {}: {}", conn.remote_peer().to_base58(), why.describe());
  }
  if (conn.info().direction == Direction::kInbound) release_inbound_slot();
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

}  // namespace edgevpn::p2p::host
