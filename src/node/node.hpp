// The node: everything a process holding a token runs (spec 12's pkg/node in C++ form): the
// libp2p host, GossipSub, the live ledger on the rotating topic, heartbeats, and the connections
// to the bootstrap peers. Features (VPN, services, API) are built on top of it. All calls on the
// io_context's thread.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "node/config/network_config.hpp"
#include "node/config/options.hpp"
#include "node/config/ownership.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}

// The subsystems, declared only: a user that calls into one includes its header.
namespace edgevpn::p2p::host {
class Host;
}
namespace edgevpn::p2p::gossip {
class PubsubService;
}
namespace edgevpn::p2p::discovery {
class KadService;
enum class DhtMode;  // kad_service.hpp; DhtMode{} is kAuto (node.cpp checks)
}  // namespace edgevpn::p2p::discovery
namespace edgevpn::ledger::live {
class LiveLedger;
}

namespace edgevpn::node {

// How the node finds the other nodes of its network (spec 8). Off unless asked for, so that
// library users and tests never reach the public DHT by accident; node_options_from turns on
// what the command line asks for (both by default).
struct DiscoveryOptions {
  bool dht = false;
  p2p::discovery::DhtMode dht_mode{};  // kAuto
  // With /p2p/<id>: /ip4|ip6/<ip>/tcp/<port> or /dnsaddr/<name>. Empty: nothing to join through
  // (the node still answers DHT requests in server mode).
  std::vector<p2p::Multiaddr> dht_bootstrap_peers;
  std::vector<p2p::Multiaddr> dht_announce_addrs;                 // replace what the DHT advertises
  std::chrono::milliseconds interval{std::chrono::seconds(720)};  // rendezvous ticker's cap
  std::chrono::milliseconds initial_interval{std::chrono::seconds(5)};
  bool mdns = false;  // service name: the token's mdns string
};

// Connection manager and gater (spec 1.3, 7.1).
struct ConnectionOptions {
  size_t low_water = 160;
  size_t high_water = 192;
  std::chrono::milliseconds grace{std::chrono::seconds(80)};
  std::vector<std::string> blacklist;  // CIDRs, IP addresses, peer IDs
};

// The kad-dht default bootstrap peers (spec 8.1), used when --discovery-bootstrap-peers is empty.
const std::vector<std::string>& default_dht_bootstrap_peers();

struct NodeOptions {
  explicit NodeOptions(crypto::PrivateKey key) : identity(std::move(key)) {}

  NetworkConfig network;
  crypto::PrivateKey identity;
  std::vector<p2p::Multiaddr> listen;           // /ip4|ip6/<ip>/tcp/<port>
  std::vector<p2p::Multiaddr> bootstrap_peers;  // kept connected; GossipSub direct peers
  size_t max_inbound_connections = 512;
  OwnershipMode ownership = OwnershipMode::kEnforce;
  std::chrono::seconds ownership_ttl{0};  // 0: 4 x heartbeat interval
  std::string ledger_state_dir;
  std::chrono::seconds ledger_announce_interval{10};
  std::chrono::seconds ledger_sync_interval{10};
  bool heartbeat = true;
  std::chrono::seconds heartbeat_interval{120};
  std::chrono::seconds scrub_interval{600};
  std::chrono::seconds heartbeat_max_age{900};
  // EdgeVPN's sync schedule (full ledger every ledger_sync_interval): for networks with Go nodes.
  bool legacy_sync = false;
  DiscoveryOptions discovery;
  ConnectionOptions connections;
};

// The NodeOptions of the command-line options. Errors name the flag.
util::Result<NodeOptions> node_options_from(const Options& options, NetworkConfig network,
                                            OwnershipMode ownership, crypto::PrivateKey identity);

class Node {
 public:
  static util::Result<std::unique_ptr<Node>> create(asio::io_context& io, NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Listens, joins the ledger topic, dials the bootstrap peers, starts discovery (DHT
  // rendezvous, mDNS) and the connection manager. Fails when a listen address cannot be bound.
  util::Status start();
  // Leaves the topic, says GoAway to every peer, stops the timers.
  asio::awaitable<void> close();

  const crypto::PeerId& peer_id() const;
  const NodeOptions& options() const;
  p2p::host::Host& host();
  p2p::gossip::PubsubService& pubsub();
  ledger::live::LiveLedger& ledger();
  // Null when the DHT is off.
  p2p::discovery::KadService* dht();

  // What discovery did so far (for logs, the API and tests).
  struct DiscoveryStats {
    uint64_t rendezvous_rounds = 0;
    uint64_t rendezvous_peers_found = 0;
    uint64_t mdns_peers_found = 0;
    uint64_t discovered_dials = 0;     // dials of peers found by DHT or mDNS that connected
    uint64_t connections_trimmed = 0;  // by the connection manager
  };
  DiscoveryStats discovery_stats() const;

  class Impl;

 private:
  explicit Node(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;  // shared: background work holds it weakly
};

}  // namespace edgevpn::node
