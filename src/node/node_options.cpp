// Command-line options -> NodeOptions (spec 1.3's flags that the node itself uses).
#include "node/node.hpp"
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
  for (const auto& text : options.discovery_bootstrap_peers) {
    auto addr = p2p::Multiaddr::parse(text);
    if (!addr) return flag_error("--discovery-bootstrap-peers", text, addr.error().message);
    if (!addr->peer_id() || !addr->tcp_endpoint()) {
      return flag_error("--discovery-bootstrap-peers", text,
                        "need /ip4|ip6/<ip>/tcp/<port>/p2p/<id>");
    }
    out.bootstrap_peers.push_back(*addr);
  }
  if (options.max_connections > 0) {
    out.max_inbound_connections = static_cast<size_t>(options.max_connections);
  }
  EDGEVPN_TRY(positive("--ledger-announce-interval", options.ledger_announce_interval));
  EDGEVPN_TRY(positive("--ledger-synchronization-interval",
                       options.ledger_synchronization_interval));
  EDGEVPN_TRY(positive("--aliveness-healthcheck-interval",
                       options.aliveness_healthcheck_interval));
  EDGEVPN_TRY(positive("--aliveness-healthcheck-scrub-interval",
                       options.aliveness_healthcheck_scrub_interval));
  EDGEVPN_TRY(positive("--aliveness-healthcheck-max-interval",
                       options.aliveness_healthcheck_max_interval));
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
