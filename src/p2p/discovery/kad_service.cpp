// KadService: the facade over KadCore (kad_core.hpp), and the core's start, stop and mode.
#include "p2p/discovery/kad_service.hpp"

#include <algorithm>
#include <asio/io_context.hpp>

#include "p2p/discovery/kad_core.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using util::Errc;
using util::make_error;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.kad");
  return log;
}

}  // namespace

util::Result<DhtMode> parse_dht_mode(std::string_view text) {
  if (text == "auto") return DhtMode::kAuto;
  if (text == "client") return DhtMode::kClient;
  if (text == "server") return DhtMode::kServer;
  return make_error(Errc::kInvalidArgument,
                    "dht mode must be auto, client or server, not " + std::string(text));
}

// --- KadCore: start, stop, mode ----------------------------------------------------------------

KadCore::KadCore(asio::io_context& io, host::Host& host_in, KadConfig config_in)
    : executor(io.get_executor()),
      host(host_in),
      config(std::move(config_in)),
      table(host.peer_id(), config.k),
      providers(config.provider_limits),
      server(table, providers),
      inbound(*this),
      requests(*this),
      upkeep(*this, executor),
      lookups(*this),
      providing(*this),
      tasks(std::make_unique<task::TaskGroup>(executor, "kad")) {}

void KadCore::start() {
  if (started_) return;
  started_ = true;
  stopped = false;
  if (tasks->cancelled()) tasks = std::make_unique<task::TaskGroup>(executor, "kad");
  update_self_addrs();
  apply_mode();
  if (!callbacks_installed_) {
    callbacks_installed_ = true;
    std::weak_ptr<KadCore> weak = shared_from_this();
    host.on_peer_identified([weak](const crypto::PeerId& peer) {
      if (auto self = weak.lock(); self && !self->stopped) self->upkeep.on_identified(peer);
    });
  }
  for (const auto& peer : host.connected_peers()) {
    if (host.is_identified(peer)) upkeep.on_identified(peer);
  }
  upkeep.start_refresh_loop();
}

void KadCore::stop() {
  if (stopped) return;
  stopped = true;
  started_ = false;
  upkeep.stop();
  tasks->cancel();
  if (serving_) {
    host.remove_stream_handler(config.protocol);
    serving_ = false;
  }
  inbound.reset_all();
}

bool KadCore::wants_server_mode() const {
  switch (config.mode) {
    case DhtMode::kServer: return true;
    case DhtMode::kClient: return false;
    case DhtMode::kAuto: break;
  }
  const auto public_addr = [](const Multiaddr& addr) { return addr.is_public(); };
  const auto listen = host.advertised_addrs();
  return std::any_of(listen.begin(), listen.end(), public_addr) ||
         std::any_of(config.announce_addrs.begin(), config.announce_addrs.end(), public_addr);
}

void KadCore::apply_mode() {
  const bool want = !stopped && wants_server_mode();
  if (want == serving_) return;
  serving_ = want;
  if (want) {
    // The host keeps the handler as long as it lives: it holds the core weakly.
    std::weak_ptr<KadCore> weak = shared_from_this();
    host.set_stream_handler(config.protocol, [weak](p2p::host::Stream stream) {
      return InboundRequests::serve_entry(weak.lock(), std::move(stream));
    });
    logger()->debug("DHT server mode");
  } else {
    host.remove_stream_handler(config.protocol);
    logger()->debug("DHT client mode");
  }
}

void KadCore::update_self_addrs() {
  self_addrs_ = config.announce_addrs.empty() ? host.advertised_addrs() : config.announce_addrs;
  server.set_self_addrs(self_addrs_);
}

// --- KadService ---------------------------------------------------------------------------------

KadService::KadService(asio::io_context& io, host::Host& host, KadConfig config)
    : core_(std::make_shared<KadCore>(io, host, std::move(config))) {}

KadService::~KadService() {
  core_->stop();
}

void KadService::start() {
  core_->start();
}
void KadService::stop() {
  core_->stop();
}
bool KadService::server_mode() const {
  return core_->server_mode();
}

// Each coroutine holds the core while it runs.
asio::awaitable<util::Result<size_t>> KadService::bootstrap(std::vector<Multiaddr> peers) {
  auto core = core_;
  co_return co_await core->upkeep.bootstrap(std::move(peers));
}

asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> KadService::find_closest_peers(
    util::Bytes key) {
  auto core = core_;
  co_return co_await core->lookups.find_closest_peers(std::move(key));
}

asio::awaitable<util::Result<kad::PeerInfo>> KadService::find_peer(crypto::PeerId peer) {
  auto core = core_;
  co_return co_await core->lookups.find_peer(peer);
}

asio::awaitable<util::Result<size_t>> KadService::provide(util::Bytes key) {
  auto core = core_;
  co_return co_await core->providing.provide(std::move(key));
}

asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> KadService::find_providers(
    util::Bytes key, size_t limit) {
  auto core = core_;
  co_return co_await core->providing.find_providers(std::move(key), limit);
}

asio::awaitable<void> KadService::refresh() {
  auto core = core_;
  co_await core->upkeep.refresh();
}

std::vector<Multiaddr> KadService::self_addrs() const {
  return core_->config.announce_addrs.empty() ? core_->host.advertised_addrs()
                                              : core_->config.announce_addrs;
}
const kad::RoutingTable& KadService::routing_table() const {
  return core_->table;
}
const kad::ProviderStore& KadService::provider_store() const {
  return core_->providers;
}
KadStats KadService::stats() const {
  return core_->stats;
}
const KadConfig& KadService::config() const {
  return core_->config;
}

}  // namespace edgevpn::p2p::discovery
