// Host: the facade over HostCore (host_core.hpp), whose parts do the work.
#include "p2p/host/host.hpp"

#include <asio/io_context.hpp>

#include "edgevpn/version.hpp"
#include "p2p/host/host_core.hpp"
#include "p2p/host/ping_service.hpp"
#include "p2p/ping/ping_payload.hpp"

namespace edgevpn::p2p::host {
namespace {

// The facade's coroutines: `inner` (a coroutine of the core or one of its parts) runs with the
// core held, so it may outlive the Host that started it.
template <class T>
asio::awaitable<T> holding(std::shared_ptr<HostCore> core, asio::awaitable<T> inner) {
  co_return co_await std::move(inner);
}
asio::awaitable<void> holding(std::shared_ptr<HostCore> core, asio::awaitable<void> inner) {
  co_await std::move(inner);
}

asio::awaitable<util::Result<Stream>> open_stream(std::shared_ptr<HostCore> core,
                                                  crypto::PeerId peer,
                                                  std::vector<std::string> protocols) {
  auto conn = co_await core->dialer.connection_to(peer);
  if (!conn) co_return conn.error();
  co_return co_await core->streams.open(std::move(*conn), std::move(protocols));
}

asio::awaitable<util::Result<std::chrono::nanoseconds>> ping_peer(std::shared_ptr<HostCore> core,
                                                                  crypto::PeerId peer) {
  std::vector<std::string> protocols{std::string(ping::kProtocolId)};
  auto stream = co_await open_stream(core, peer, std::move(protocols));
  if (!stream) co_return stream.error();
  co_return co_await ping_once(std::move(*stream));
}

}  // namespace

HostConfig::HostConfig() : agent_version(kAgentVersion) {
  // A ping a minute (go-yamux: every 30 s) still notices a dead peer within 90 s.
  yamux.keepalive_interval = std::chrono::seconds(60);
  yamux.ping_timeout = std::chrono::seconds(30);
  yamux.max_inbound_streams = 1024;
}

Host::Host(asio::io_context& io, crypto::PrivateKey identity, HostConfig config)
    : core_(std::make_shared<HostCore>(io, std::move(identity), std::move(config))) {}

Host::~Host() {
  core_->shutdown();
}

util::Status Host::start() {
  return core_->start();
}
asio::awaitable<void> Host::close() {
  return holding(core_, core_->close());
}
const crypto::PeerId& Host::peer_id() const {
  return core_->peer_id;
}
crypto::PublicKey Host::public_key() const {
  return core_->identity.public_key();
}
const std::string& Host::agent_version() const {
  return core_->config.agent_version;
}
std::vector<Multiaddr> Host::listen_addrs() const {
  return core_->listener.bound();
}
std::vector<Multiaddr> Host::advertised_addrs() const {
  return core_->listener.advertised();
}

asio::awaitable<util::Result<crypto::PeerId>> Host::connect(const Multiaddr& addr) {
  return holding(core_, core_->dialer.connect(addr));
}

asio::awaitable<util::Result<Stream>> Host::new_stream(const crypto::PeerId& peer,
                                                       std::vector<std::string> protocols) {
  return open_stream(core_, peer, std::move(protocols));
}

asio::awaitable<void> Host::disconnect(const crypto::PeerId& peer) {
  return holding(core_, core_->connections.close_gracefully(peer));
}

void Host::set_stream_handler(const std::string& protocol, StreamHandler handler) {
  core_->streams.set_handler(protocol, std::move(handler));
  core_->identify.schedule_push();
}

void Host::remove_stream_handler(const std::string& protocol) {
  if (core_->streams.remove_handler(protocol)) core_->identify.schedule_push();
}

std::vector<std::string> Host::protocols() const {
  return core_->streams.protocols();
}

asio::awaitable<util::Result<std::chrono::nanoseconds>> Host::ping(const crypto::PeerId& peer) {
  return ping_peer(core_, peer);
}

Peerstore& Host::peerstore() {
  return core_->peerstore;
}
const Peerstore& Host::peerstore() const {
  return core_->peerstore;
}
bool Host::is_connected(const crypto::PeerId& peer) const {
  return core_->connections.live(peer) != nullptr;
}
bool Host::is_outbound(const crypto::PeerId& peer) const {
  auto conn = core_->connections.live(peer);
  return conn != nullptr && conn->info().direction == Direction::kOutbound;
}
bool Host::is_identified(const crypto::PeerId& peer) const {
  return core_->connections.is_identified(peer);
}
std::vector<crypto::PeerId> Host::connected_peers() const {
  return core_->connections.connected_peers();
}
size_t Host::connection_count() const {
  return core_->connections.count();
}
HostStats Host::stats() const {
  return core_->stats;
}

void Host::set_dial_filter(std::function<bool(const Multiaddr&)> allow) {
  core_->dialer.set_filter(std::move(allow));
}
void Host::set_connection_gate(ConnectionGate allow) {
  core_->gate = std::move(allow);
}

void Host::on_peer_connected(PeerCallback callback) {
  core_->connections.on_peer_connected(std::move(callback));
}
void Host::on_peer_disconnected(PeerCallback callback) {
  core_->connections.on_peer_disconnected(std::move(callback));
}
void Host::on_peer_identified(PeerCallback callback) {
  core_->connections.on_peer_identified(std::move(callback));
}

}  // namespace edgevpn::p2p::host
