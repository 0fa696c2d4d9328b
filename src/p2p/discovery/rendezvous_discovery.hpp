// EdgeVPN's DHT rendezvous (spec 8.1): on a backoff ticker (first round at once, then 5 s
// doubling with jitter up to the discovery interval) connect the bootstrap peers we lost, then for
// each string of the rendezvous ring provide its key (CIDv1 raw sha2-256 -> the multihash bytes),
// find its providers and connect to each one that is not us and not yet connected.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "p2p/discovery/kad_service.hpp"
#include "p2p/host/host.hpp"
#include "p2p/kad/kad_message.hpp"
#include "util/bytes.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::p2p::discovery {

// The DHT key of a rendezvous string: 0x12 0x20 || SHA-256(rendezvous).
util::Bytes rendezvous_key(std::string_view rendezvous);

struct RendezvousConfig {
  std::chrono::milliseconds initial_interval{5000};
  // --discovery-interval: the ticker's cap.
  std::chrono::milliseconds max_interval{std::chrono::minutes(2)};
  // Each wait is scaled by a random factor in [1 - jitter, 1 + jitter].
  double jitter = 0.2;
  size_t provider_limit = 100;
  // Dialled at the start of each round unless connected (/dnsaddr/ ones are resolved).
  std::vector<Multiaddr> bootstrap_peers;
};

struct RendezvousStats {
  uint64_t rounds = 0;
  uint64_t provides_failed = 0;
  uint64_t peers_found = 0;      // providers that are not us
  uint64_t peers_connected = 0;  // connections we opened to them
};

// Found: a provider of one of the ring's keys (not us); `connected` says whether we hold a
// connection to it after the round tried to open one.
using RendezvousPeerCallback = std::function<void(const kad::PeerInfo& peer, bool connected)>;

class RendezvousDiscovery {
 public:
  // `ring` returns the current rendezvous strings (EdgeVPN: the current and previous one).
  RendezvousDiscovery(asio::io_context& io, host::Host& host, KadService& kad,
                      std::function<std::vector<std::string>()> ring, RendezvousConfig config = {});
  ~RendezvousDiscovery();
  RendezvousDiscovery(const RendezvousDiscovery&) = delete;
  RendezvousDiscovery& operator=(const RendezvousDiscovery&) = delete;

  void on_peer_found(RendezvousPeerCallback callback);
  // Starts the ticker; the first round runs at once.
  void start();
  void stop();
  // Runs a round now (or right after the one under way) and restarts the backoff.
  void trigger();

  // One round, as the ticker runs it (tests and callers that want to await it).
  asio::awaitable<void> run_round();

  // The wait before round `round` (1-based): min(initial * 2^(round-1), max), before jitter.
  std::chrono::milliseconds backoff(uint64_t round) const;
  RendezvousStats stats() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgevpn::p2p::discovery
