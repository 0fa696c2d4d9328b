// THE table of flags whose feature is not built yet. Remove an entry when its feature lands.
#include "cli/unavailable_flags.hpp"

#include "util/log/log.hpp"

namespace edgevpn::cli {
namespace {

using node::Options;

struct UnavailableFlag {
  std::string_view name;
  bool (*changed)(const Options& now, const Options& defaults);
  bool default_on = false;  // on by default in EdgeVPN: warned about, not refused
};

#define EDGEVPN_UNAVAILABLE(flag, member) \
  UnavailableFlag { flag, [](const Options& a, const Options& b) { return a.member != b.member; } }
// Features EdgeVPN turns on by default: while they are not built, a node running with them on
// (the default) is told so, instead of silently running without them.
#define EDGEVPN_UNAVAILABLE_WHEN_ON(flag, member) \
  UnavailableFlag { flag, [](const Options& a, const Options&) { return a.member; }, true }

const UnavailableFlag kUnavailableFlags[] = {
    // common flags
    EDGEVPN_UNAVAILABLE("--timeout", timeout),
    EDGEVPN_UNAVAILABLE("--channel-buffer-size", channel_buffer_size),
    EDGEVPN_UNAVAILABLE("--autorelay-discovery-interval", autorelay_discovery_interval),
    EDGEVPN_UNAVAILABLE("--autorelay-static-only", autorelay_static_only),
    EDGEVPN_UNAVAILABLE("--nat-ratelimit-global", nat_ratelimit_global),
    EDGEVPN_UNAVAILABLE("--nat-ratelimit-peer", nat_ratelimit_peer),
    EDGEVPN_UNAVAILABLE("--nat-ratelimit-interval", nat_ratelimit_interval),
    EDGEVPN_UNAVAILABLE("--nat-ratelimit", nat_ratelimit),
    EDGEVPN_UNAVAILABLE_WHEN_ON("--autorelay", autorelay),
    EDGEVPN_UNAVAILABLE_WHEN_ON("--holepunch", holepunch),
    EDGEVPN_UNAVAILABLE_WHEN_ON("--natservice", natservice),
    EDGEVPN_UNAVAILABLE_WHEN_ON("--natmap", natmap),
    EDGEVPN_UNAVAILABLE("--libp2p-log-level", libp2p_log_level),
    EDGEVPN_UNAVAILABLE("--autorelay-static-peer", autorelay_static_peer),
    EDGEVPN_UNAVAILABLE_WHEN_ON("--relay-service", relay_service),
    EDGEVPN_UNAVAILABLE("--relay-service-network-only", relay_service_network_only),
    EDGEVPN_UNAVAILABLE("--relay-service-acl-refresh", relay_service_acl_refresh),
    EDGEVPN_UNAVAILABLE("--relay-service-max-data", relay_service_max_data),
    EDGEVPN_UNAVAILABLE("--relay-service-max-duration", relay_service_max_duration),
    EDGEVPN_UNAVAILABLE("--relay-service-max-circuits", relay_service_max_circuits),
    EDGEVPN_UNAVAILABLE("--relay-service-reservation-ttl", relay_service_reservation_ttl),
    EDGEVPN_UNAVAILABLE("--relay-service-buffer-size", relay_service_buffer_size),
    EDGEVPN_UNAVAILABLE("--limit-enable", limit_enable),
    EDGEVPN_UNAVAILABLE("--limit-file", limit_file),
    EDGEVPN_UNAVAILABLE("--limit-scope", limit_scope),
    EDGEVPN_UNAVAILABLE("--limit-config-streams", limit_config_streams),
    EDGEVPN_UNAVAILABLE("--limit-config-streams-inbound", limit_config_streams_inbound),
    EDGEVPN_UNAVAILABLE("--limit-config-streams-outbound", limit_config_streams_outbound),
    EDGEVPN_UNAVAILABLE("--limit-config-conn", limit_config_conn),
    EDGEVPN_UNAVAILABLE("--limit-config-conn-inbound", limit_config_conn_inbound),
    EDGEVPN_UNAVAILABLE("--limit-config-conn-outbound", limit_config_conn_outbound),
    EDGEVPN_UNAVAILABLE("--limit-config-fd", limit_config_fd),
    EDGEVPN_UNAVAILABLE("--peerguard", peerguard),
    EDGEVPN_UNAVAILABLE("--whitelist", whitelist),
    EDGEVPN_UNAVAILABLE("--peergate", peergate),
    EDGEVPN_UNAVAILABLE("--peergate-autoclean", peergate_autoclean),
    EDGEVPN_UNAVAILABLE("--peergate-relaxed", peergate_relaxed),
    EDGEVPN_UNAVAILABLE("--peergate-auth", peergate_auth),
    EDGEVPN_UNAVAILABLE("--peergate-interval", peergate_interval),
    // root (VPN) flags
    EDGEVPN_UNAVAILABLE("--debug", debug),
    EDGEVPN_UNAVAILABLE("--transient-conn", transient_conn),
    EDGEVPN_UNAVAILABLE("--dns", dns_address),
    EDGEVPN_UNAVAILABLE("--dns-forwarder", dns_forwarder),
    EDGEVPN_UNAVAILABLE("--egress", egress),
    EDGEVPN_UNAVAILABLE("--egress-announce-time", egress_announce_time),
    EDGEVPN_UNAVAILABLE("--dns-cache-size", dns_cache_size),
    EDGEVPN_UNAVAILABLE("--dns-forward-server", dns_forward_server),
};

#undef EDGEVPN_UNAVAILABLE
#undef EDGEVPN_UNAVAILABLE_WHEN_ON

}  // namespace

std::vector<std::string_view> unavailable_flags_in_use(const Options& options) {
  const Options defaults = node::defaults_for(options.command);
  std::vector<std::string_view> in_use;
  for (const auto& entry : kUnavailableFlags) {
    if (entry.changed(options, defaults)) in_use.push_back(entry.name);
  }
  return in_use;
}

std::vector<std::string_view> refused_flags(const Options& options) {
  const Options defaults = node::defaults_for(options.command);
  std::vector<std::string_view> refused;
  for (const auto& entry : kUnavailableFlags) {
    if (!entry.default_on && entry.changed(options, defaults)) refused.push_back(entry.name);
  }
  return refused;
}

void log_unavailable_flags(const Options& options) {
  auto logger = log::get("cli");
  for (auto name : unavailable_flags_in_use(options)) {
    logger->warn("{}: not available yet", name);
  }
}

}  // namespace edgevpn::cli
