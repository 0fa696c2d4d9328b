// Command-line options -> NodeOptions (spec 1.3's flags that the node itself uses).
#include "node/node.hpp"
#include "p2p/discovery/kad_service.hpp"
#include "p2p/host/blacklist.hpp"
#include "util/log/log.hpp"

namespace edgevpn::node {
namespace {

const std::vector<std::string> kDefaultListen = {"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"};

util::Error flag_error(std::string_view flag, const std::string& value, const std::string& why) {
  return util::make_error(util::Errc::kInvalidArgument,
                          std::string(flag) + " " + value + ": " + why);
}

util::Status positive(std::string_view flag, int value) {
  if (value > 0) return {};
  return flag_error(flag, std::to_string(value), "must be positive");
}

}  // namespace

util::Result<NodeOptions> node_options_from(const Options& options, NetworkConfig network,
                                            OwnershipMode ownership, crypto::PrivateKey identity) {
  NodeOptions out(std::move(identity));
  out.network = std::move(network);
  out.ownership = ownership;
  auto logger = log::get("node");

  const auto& listen = options.listen_maddrs.empty() ? kDefaultListen : options.listen_maddrs;
  for (const auto& text : listen) {
    auto addr = p2p::Multiaddr::parse(text);
    if (!addr) return flag_error("--listen-maddrs", text, addr.error().message);
    if (!addr->tcp_endpoint()) {
      logger->warn("listen address {} skipped: only TCP is supported", text);
      continue;
    }
    out.listen.push_back(*addr);
  }
  if (out.listen.empty()) {
    return util::make_error(util::Errc::kInvalidArgument, "no usable listen address");
  }
  // Given peers are DHT bootstrap peers, and (TCP ones) kept connected as direct gossip peers.
  for (const auto& text : options.discovery_bootstrap_peers) {
    auto addr = p2p::Multiaddr::parse(text);
    if (!addr) return flag_error("--discovery-bootstrap-peers", text, addr.error().message);
    const bool dnsaddr = addr->has_protocol(p2p::multiaddr_code::kDnsAddr);
    if (!addr->peer_id() || (!addr->tcp_endpoint() && !dnsaddr)) {
      return flag_error("--discovery-bootstrap-peers", text,
                        "need /ip4|ip6/<ip>/tcp/<port>/p2p/<id> or /dnsaddr/<name>/p2p/<id>");
    }
    if (addr->tcp_endpoint()) out.bootstrap_peers.push_back(*addr);
    out.discovery.dht_bootstrap_peers.push_back(*addr);
  }
  out.discovery.dht = options.dht;
  out.discovery.mdns = options.mdns;
  if (options.dht && options.discovery_bootstrap_peers.empty()) {
    for (const auto& text : default_dht_bootstrap_peers()) {
      out.discovery.dht_bootstrap_peers.push_back(*p2p::Multiaddr::parse(text));
    }
  }
  auto mode = p2p::discovery::parse_dht_mode(options.dht_mode);
  if (!mode) return flag_error("--dht-mode", options.dht_mode, "must be auto, client or server");
  out.discovery.dht_mode = *mode;
  for (const auto& text : options.dht_announce_maddrs) {
    auto addr = p2p::Multiaddr::parse(text);
    if (!addr) return flag_error("--dht-announce-maddrs", text, addr.error().message);
    out.discovery.dht_announce_addrs.push_back(addr->without_peer_id());
  }
  EDGEVPN_TRY(positive("--discovery-interval", options.discovery_interval));
  out.discovery.interval = std::chrono::seconds(options.discovery_interval);

  // EdgeVPN: both watermarks set -> connmgr(low, high); otherwise libp2p's 160/192.
  if (options.connection_low_water < 0 || options.connection_high_water < 0) {
    return flag_error("--connection-low-water/--connection-high-water",
                      std::to_string(options.connection_low_water) + "/" +
                          std::to_string(options.connection_high_water),
                      "must not be negative");
  }
  if (options.connection_low_water > 0 && options.connection_high_water > 0) {
    if (options.connection_low_water > options.connection_high_water) {
      return flag_error("--connection-low-water", std::to_string(options.connection_low_water),
                        "is above --connection-high-water");
    }
    out.connections.low_water = static_cast<size_t>(options.connection_low_water);
    out.connections.high_water = static_cast<size_t>(options.connection_high_water);
  }
  if (auto blacklist = p2p::host::Blacklist::parse(options.blacklist); !blacklist) {
    return flag_error("--blacklist", "", blacklist.error().message);
  }
  out.connections.blacklist = options.blacklist;
  if (options.max_connections > 0) {
    out.max_inbound_connections = static_cast<size_t>(options.max_connections);
  }
  EDGEVPN_TRY(positive("--ledger-announce-interval", options.ledger_announce_interval));
  EDGEVPN_TRY(
      positive("--ledger-synchronization-interval", options.ledger_synchronization_interval));
  EDGEVPN_TRY(positive("--aliveness-healthcheck-interval", options.aliveness_healthcheck_interval));
  EDGEVPN_TRY(positive("--aliveness-healthcheck-scrub-interval",
                       options.aliveness_healthcheck_scrub_interval));
  EDGEVPN_TRY(
      positive("--aliveness-healthcheck-max-interval", options.aliveness_healthcheck_max_interval));
  if (options.ownership_ttl < 0) {
    return flag_error("--ownership-ttl", std::to_string(options.ownership_ttl), "is negative");
  }
  out.ownership_ttl = std::chrono::seconds(options.ownership_ttl);
  out.ledger_state_dir = options.ledger_state;
  out.legacy_sync = options.ledger_legacy_sync;
  out.ledger_announce_interval = std::chrono::seconds(options.ledger_announce_interval);
  out.ledger_sync_interval = std::chrono::seconds(options.ledger_synchronization_interval);
  out.heartbeat_interval = std::chrono::seconds(options.aliveness_healthcheck_interval);
  out.scrub_interval = std::chrono::seconds(options.aliveness_healthcheck_scrub_interval);
  out.heartbeat_max_age = std::chrono::seconds(options.aliveness_healthcheck_max_interval);
  return out;
}

}  // namespace edgevpn::node
