// The Kademlia DHT (/ipfs/kad/1.0.0) on a libp2p host: serves requests through kad::DhtServer
// (server mode), runs iterative lookups with kad::Lookup (alpha in flight, a timeout per query),
// provides and finds provider records, bootstraps and refreshes the routing table. Everything runs
// on the host's io_context thread.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/host/host.hpp"
#include "p2p/kad/kad_message.hpp"
#include "p2p/kad/provider_store.hpp"
#include "p2p/kad/routing_table.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::p2p::discovery {

class KadCore;

// kAuto: server when the host has a public listen address or a public announce address.
enum class DhtMode { kAuto, kClient, kServer };

// "auto", "client", "server" (as --dht-mode takes them).
util::Result<DhtMode> parse_dht_mode(std::string_view text);

struct KadConfig {
  DhtMode mode = DhtMode::kAuto;
  std::string protocol = std::string(kad::kProtocolId);
  // When not empty, replaces the host's advertised addresses in our provider records and in
  // answers about ourselves (--dht-announce-maddrs).
  std::vector<Multiaddr> announce_addrs;
  size_t k = kad::kBucketSize;
  size_t alpha = 3;
  // One request: dial, negotiation, write and answer.
  std::chrono::milliseconds query_timeout{10000};
  // A whole lookup (go: 60 s for Provide's inner lookup, 120 s outer).
  std::chrono::milliseconds lookup_timeout{60000};
  // Inbound DHT streams with no request for this long are closed.
  std::chrono::milliseconds stream_idle_timeout{60000};
  size_t max_message_size = kad::kMaxMessageSize;
  // Self-lookup and provider expiry period (go: 10 min); 0 disables the refresh loop.
  std::chrono::milliseconds refresh_interval{std::chrono::minutes(10)};
  kad::ProviderStoreLimits provider_limits;
};

struct KadStats {
  uint64_t requests_served = 0;    // inbound requests answered (or stored, ADD_PROVIDER)
  uint64_t requests_rejected = 0;  // well-formed requests the server refused (stream reset)
  uint64_t bad_frames = 0;         // inbound frames that did not decode (stream reset)
  uint64_t queries_sent = 0;       // outbound requests
  uint64_t queries_failed = 0;     // outbound requests that failed or timed out
  uint64_t lookups = 0;
};

class KadService {
 public:
  // `io` is the host's io_context.
  KadService(asio::io_context& io, host::Host& host, KadConfig config = {});
  ~KadService();
  KadService(const KadService&) = delete;
  KadService& operator=(const KadService&) = delete;

  // Decides the mode, registers the stream handler (server mode), follows identified peers into
  // the routing table and starts the refresh loop. Peers already identified are added.
  void start();
  // Stops the refresh loop and removes the handler; open inbound streams are reset.
  void stop();

  bool server_mode() const;

  // Connects to each address (/dnsaddr/ ones are resolved first), puts the peers that answer in
  // the routing table and runs a self-lookup. Returns how many peers were connected; kNotFound
  // when none was.
  asio::awaitable<util::Result<size_t>> bootstrap(std::vector<Multiaddr> peers);

  // Iterative FIND_NODE: the up to k peers closest to `key` (peer ID bytes or any key) that
  // answered, closest first.
  asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> find_closest_peers(util::Bytes key);
  // The addresses of `peer` (from the peerstore when connected or known, else by lookup).
  // kNotFound when the lookup ends without it.
  asio::awaitable<util::Result<kad::PeerInfo>> find_peer(crypto::PeerId peer);

  // Announces us as a provider of `key` (multihash bytes): stores it locally, then sends
  // ADD_PROVIDER to the k closest peers. Returns how many peers took the record; kNotFound when
  // no peer could be reached.
  asio::awaitable<util::Result<size_t>> provide(util::Bytes key);
  // Providers of `key` (local records first, then a GET_PROVIDERS lookup that stops once `limit`
  // are known). We may be among them. Learnt addresses go to the peerstore.
  asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> find_providers(util::Bytes key,
                                                                           size_t limit = 100);

  // Self-lookup (fills buckets near us) and provider expiry; the refresh loop calls it.
  asio::awaitable<void> refresh();

  // The addresses we put in provider records: announce_addrs or the host's advertised ones.
  std::vector<Multiaddr> self_addrs() const;
  const kad::RoutingTable& routing_table() const;
  const kad::ProviderStore& provider_store() const;
  KadStats stats() const;
  const KadConfig& config() const;

 private:
  // The state and its parts, held by the facade and by the service's coroutines (kad_core.hpp).
  std::shared_ptr<KadCore> core_;
};

}  // namespace edgevpn::p2p::discovery
