// The DHT service's state and its parts, one concern each: serving requests (kad_inbound.cpp),
// sending them (kad_requests.cpp), routing-table upkeep, refresh and bootstrap
// (kad_table_upkeep.cpp), iterative lookups (kad_lookups.cpp) and provider records
// (kad_providers.cpp); start, stop and the server/client mode in kad_service.cpp. KadService
// (kad_service.hpp) is the facade; this header is internal to p2p/discovery.
//
// Lifetime: the core is held by the facade and by every coroutine of the service (a background
// coroutine takes `std::shared_ptr<KadCore> self`; a facade coroutine holds the core while it
// runs), so the core and its parts are valid in all of them. The host outlives only the facade:
// after each suspension a coroutine checks `stopped` (set by stop(), which the facade's
// destructor calls) before it uses the host.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <vector>

#include "p2p/discovery/kad_service.hpp"
#include "p2p/discovery/wake_timer.hpp"
#include "p2p/host/stream.hpp"
#include "p2p/kad/dht_server.hpp"
#include "p2p/kad/lookup.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::discovery {

class KadCore;

// Counts finished tasks and wakes one waiter (fan-out of requests with a common deadline).
struct FanOut {
  explicit FanOut(const asio::any_io_executor& executor) : wake(executor) {}
  size_t pending = 0;
  size_t succeeded = 0;
  WakeTimer wake;
};

// Serving: the handler of inbound DHT streams (server mode), answering through kad::DhtServer.
class InboundRequests {
 public:
  explicit InboundRequests(KadCore& core) : core_(core) {}
  // The stream handler; `self` is null once the service is gone.
  static asio::awaitable<void> serve_entry(std::shared_ptr<KadCore> self, host::Stream stream);
  // Resets the streams being served.
  void reset_all();

 private:
  asio::awaitable<void> serve(std::shared_ptr<KadCore> self, host::Stream stream);

  KadCore& core_;
  std::list<host::Stream> open_;
};

// Asking: one request on a fresh stream, and the addresses answers teach us.
class OutboundRequests {
 public:
  explicit OutboundRequests(KadCore& core) : core_(core) {}
  // ADD_PROVIDER has no answer: its "response" is the request.
  asio::awaitable<util::Result<kad::Message>> send(kad::PeerInfo peer, kad::Message request);
  // Puts a peer's addresses (capped) in the peerstore.
  void remember(const kad::PeerInfo& peer);

 private:
  KadCore& core_;
};

// Routing-table upkeep: peers that answer or identify as DHT servers go in (pinging the oldest
// of a full bucket), the refresh loop (self-lookup, provider expiry) and bootstrap.
class TableUpkeep {
 public:
  TableUpkeep(KadCore& core, const asio::any_io_executor& executor)
      : core_(core), refresh_wake_(executor) {}

  void add(const crypto::PeerId& peer);
  void on_identified(const crypto::PeerId& peer);
  void start_refresh_loop();
  void stop();
  asio::awaitable<void> refresh();
  asio::awaitable<util::Result<size_t>> bootstrap(std::vector<Multiaddr> peers);

 private:
  static asio::awaitable<void> ping_member(std::shared_ptr<KadCore> self, kad::PeerInfo peer);
  static asio::awaitable<void> connect_one(std::shared_ptr<KadCore> self,
                                           std::shared_ptr<FanOut> fan, Multiaddr addr);
  static asio::awaitable<void> refresh_loop(std::shared_ptr<KadCore> self);

  KadCore& core_;
  WakeTimer refresh_wake_;
};

// Iterative lookups: alpha queries in flight, each with a timeout, the whole bounded too.
class Lookups {
 public:
  explicit Lookups(KadCore& core) : core_(core) {}

  struct Run {
    Run(const asio::any_io_executor& executor, kad::Lookup lookup)
        : lookup(std::move(lookup)), wake(executor) {}
    kad::Lookup lookup;
    WakeTimer wake;
  };

  asio::awaitable<std::shared_ptr<Run>> run(kad::MessageType type, util::Bytes key,
                                            size_t provider_limit);
  asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> find_closest_peers(util::Bytes key);
  asio::awaitable<util::Result<kad::PeerInfo>> find_peer(crypto::PeerId peer);

 private:
  std::vector<kad::PeerInfo> seeds_for(const util::Bytes& key) const;
  static asio::awaitable<void> query(std::shared_ptr<KadCore> self, std::shared_ptr<Run> run,
                                     kad::LookupRequest request);

  KadCore& core_;
};

// Provider records: announcing ourselves (ADD_PROVIDER to the k closest) and finding providers.
class Providing {
 public:
  explicit Providing(KadCore& core) : core_(core) {}
  asio::awaitable<util::Result<size_t>> provide(util::Bytes key);
  asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> find_providers(util::Bytes key,
                                                                           size_t limit);

 private:
  static asio::awaitable<void> add_provider_to(std::shared_ptr<KadCore> self,
                                               std::shared_ptr<FanOut> fan, kad::PeerInfo peer,
                                               kad::Message request);
  KadCore& core_;
};

class KadCore : public std::enable_shared_from_this<KadCore> {
 public:
  KadCore(asio::io_context& io, host::Host& host, KadConfig config);
  KadCore(const KadCore&) = delete;
  KadCore& operator=(const KadCore&) = delete;

  void start();
  void stop();
  bool server_mode() const { return serving_; }
  // Server mode when the config or our addresses say so (stopped: neither).
  void apply_mode();
  // Our addresses in provider records and answers about us: announce_addrs or advertised ones.
  void update_self_addrs();
  const std::vector<Multiaddr>& self_addrs() const { return self_addrs_; }

  const asio::any_io_executor executor;
  host::Host& host;
  const KadConfig config;
  kad::RoutingTable table;
  kad::ProviderStore providers;
  kad::DhtServer server;
  KadStats stats;
  bool stopped = false;  // stop() was called (or the facade is gone) and start() was not since

  InboundRequests inbound;
  OutboundRequests requests;
  TableUpkeep upkeep;
  Lookups lookups;
  Providing providing;
  // Replaced by start() after stop() cancelled it.
  std::unique_ptr<task::TaskGroup> tasks;

 private:
  bool wants_server_mode() const;

  std::vector<Multiaddr> self_addrs_;
  bool started_ = false;
  bool serving_ = false;
  bool callbacks_installed_ = false;
};

}  // namespace edgevpn::p2p::discovery
