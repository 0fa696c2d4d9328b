// EdgeVPN's flag table in CLI11 form. Booleans accept --flag=false; string slices repeat or take
// comma-separated values (environment variables: comma-separated); durations use Go's syntax.
#include "cli/flags.hpp"

#include "node/config/go_duration.hpp"

namespace edgevpn::cli {
namespace {

using node::Options;

CLI::Option* flag(CLI::App& app, const std::string& name, bool& target, const std::string& help,
                  const std::string& env = "") {
  auto* option = app.add_flag(name, target, help);
  option->default_str(target ? "true" : "false");
  if (!env.empty()) option->envname(env);
  return option;
}

template <class T>
CLI::Option* value(CLI::App& app, const std::string& name, T& target, const std::string& help,
                   const std::string& env = "") {
  auto* option = app.add_option(name, target, help)->capture_default_str();
  if (!env.empty()) option->envname(env);
  return option;
}

CLI::Option* list(CLI::App& app, const std::string& name, std::vector<std::string>& target,
                  const std::string& help, const std::string& env = "") {
  auto* option = app.add_option(name, target, help)
                      ->delimiter(',')
                      ->expected(1)
                      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                      ->type_name("TEXT,...");
  if (!target.empty()) option->default_str(CLI::detail::join(target, ","));
  if (!env.empty()) option->envname(env);
  return option;
}

// On every command that serves the API (see docs/web-ui.md).
void api_allowed_hosts(CLI::App& app, Options& o) {
  list(app, "--api-allowed-host", o.api_allowed_hosts,
       "Host name a browser may use to reach the API besides IPs and localhost (* = any)",
       "APIALLOWEDHOSTS");
}

CLI::Option* duration(CLI::App& app, const std::string& name, std::chrono::nanoseconds& target,
                      const std::string& help, const std::string& env = "") {
  auto* option = app.add_option_function<std::string>(
      name,
      [&target, name](const std::string& text) {
        auto parsed = node::parse_go_duration(text);
        if (!parsed.ok()) throw CLI::ValidationError(name, parsed.error().message);
        target = *parsed;
      },
      help);
  option->default_str(node::format_go_duration(target))->type_name("DURATION");
  if (!env.empty()) option->envname(env);
  return option;
}

}  // namespace

void add_common_flags(CLI::App& app, Options& o) {
  value(app, "--config", o.config, "Path to the network config (YAML)", "EDGEVPNCONFIG");
  value(app, "--token", o.token, "Network token (base64 of the config); used in place of a config file",
        "EDGEVPNTOKEN");
  list(app, "--listen-maddrs", o.listen_maddrs,
       "Multiaddrs to listen on (default: libp2p's TCP/QUIC on all interfaces)",
       "EDGEVPNLISTENMADDRS");
  list(app, "--dht-announce-maddrs", o.dht_announce_maddrs,
       "Multiaddrs to advertise on the DHT instead of the detected ones",
       "EDGEVPNDHTANNOUNCEMADDRS");
  duration(app, "--timeout", o.timeout, "Timeout for opening a VPN stream to a peer",
           "EDGEVPNTIMEOUT");
  value(app, "--mtu", o.mtu, "MTU of the TUN interface", "EDGEVPNMTU");
  flag(app, "--bootstrap-iface", o.bootstrap_iface,
       "Configure the interface (address, MTU, up) at start; false leaves a persistent TUN "
       "unconfigured",
       "EDGEVPNBOOTSTRAPIFACE");
  value(app, "--packet-mtu", o.packet_mtu, "Read buffer size for one packet from the TUN",
        "EDGEVPNPACKETMTU");
  value(app, "--channel-buffer-size", o.channel_buffer_size,
        "Packets queued between the TUN reader and the workers (0 = unbuffered)",
        "EDGEVPNCHANNELBUFFERSIZE");
  value(app, "--discovery-interval", o.discovery_interval,
        "Maximum interval (s) of the DHT announce and lookup loop", "EDGEVPNDHTINTERVAL");
  value(app, "--ledger-announce-interval", o.ledger_announce_interval,
        "Maximum interval (s) of the ledger re-announce loops", "EDGEVPNLEDGERINTERVAL");
  duration(app, "--autorelay-discovery-interval", o.autorelay_discovery_interval,
           "AutoRelay candidate discovery interval (accepted; EdgeVPN does not use it)",
           "EDGEVPNAUTORELAYDISCOVERYINTERVAL");
  flag(app, "--autorelay-static-only", o.autorelay_static_only,
       "Use only --autorelay-static-peer relays as AutoRelay candidates",
       "EDGEVPNAUTORELAYSTATICONLY");
  // EdgeVPN spelled this flag "syncronization" for years: both names work.
  value(app, "--ledger-synchronization-interval,--ledger-syncronization-interval",
        o.ledger_synchronization_interval, "Maximum interval (s) of the full-ledger broadcast",
        "EDGEVPNLEDGERSYNCINTERVAL");
  value(app, "--nat-ratelimit-global", o.nat_ratelimit_global,
        "AutoNAT service: global rate limit", "EDGEVPNNATRATELIMITGLOBAL");
  value(app, "--nat-ratelimit-peer", o.nat_ratelimit_peer, "AutoNAT service: per-peer rate limit",
        "EDGEVPNNATRATELIMITPEER");
  value(app, "--nat-ratelimit-interval", o.nat_ratelimit_interval,
        "AutoNAT service: rate limit interval (s)", "EDGEVPNNATRATELIMITINTERVAL");
  flag(app, "--nat-ratelimit", o.nat_ratelimit, "Rate-limit the AutoNAT service we offer",
       "EDGEVPNNATRATELIMIT");
  value(app, "--max-connections", o.max_connections,
        "Connection limit of the resource manager (with --limit-enable; -1 = unlimited)",
        "EDGEVPNMAXCONNS");
  value(app, "--ledger-state", o.ledger_state, "Directory to persist the ledger in",
        "EDGEVPNLEDGERSTATE");
  flag(app, "--mdns", o.mdns, "Discover peers with mDNS on the LAN", "EDGEVPNMDNS");
  flag(app, "--autorelay", o.autorelay, "Use relays (AutoRelay) when not publicly reachable",
       "EDGEVPNAUTORELAY");
  value(app, "--concurrency", o.concurrency, "VPN packet workers (default: number of CPUs)");
  flag(app, "--holepunch", o.holepunch, "Try hole punching (DCUtR) through NATs",
       "EDGEVPNHOLEPUNCH");
  flag(app, "--natservice", o.natservice, "Offer the AutoNAT service to other peers",
       "EDGEVPNNATSERVICE");
  flag(app, "--natmap", o.natmap, "Open a port on the router with UPnP / NAT-PMP",
       "EDGEVPNNATMAP");
  flag(app, "--dht", o.dht, "Discover peers through the DHT rendezvous", "EDGEVPNDHT");
  value(app, "--dht-mode", o.dht_mode,
        "DHT mode: auto (server with a public address), client or server", "EDGEVPNDHTMODE");
  flag(app, "--low-profile", o.low_profile, "Low profile: DHT bucket size 20",
       "EDGEVPNLOWPROFILE");
  value(app, "--aliveness-healthcheck-interval", o.aliveness_healthcheck_interval,
        "Maximum interval (s) between heartbeats", "HEALTHCHECKINTERVAL");
  value(app, "--aliveness-healthcheck-scrub-interval", o.aliveness_healthcheck_scrub_interval,
        "Interval (s) of the stale-heartbeat scrub", "HEALTHCHECKSCRUBINTERVAL");
  value(app, "--aliveness-healthcheck-max-interval", o.aliveness_healthcheck_max_interval,
        "Heartbeat age (s) after which a node counts as offline", "HEALTHCHECKMAXINTERVAL");
  value(app, "--log-level", o.log_level, "Log level (debug, info, warn, error, fatal)",
        "EDGEVPNLOGLEVEL");
  value(app, "--libp2p-log-level", o.libp2p_log_level, "Log level of the libp2p layers",
        "EDGEVPNLIBP2PLOGLEVEL");
  list(app, "--discovery-bootstrap-peers", o.discovery_bootstrap_peers,
       "DHT bootstrap peers (multiaddrs with /p2p/<id>; default: the IPFS bootstrap nodes); "
       "also direct gossip peers",
       "EDGEVPNBOOTSTRAPPEERS");
  value(app, "--connection-high-water", o.connection_high_water,
        "Connection manager high water mark (with --connection-low-water; 0 = libp2p default)",
        "EDGEVPN_CONNECTION_HIGH_WATER");
  value(app, "--connection-low-water", o.connection_low_water,
        "Connection manager low water mark (with --connection-high-water; 0 = libp2p default)",
        "EDGEVPN_CONNECTION_LOW_WATER");
  list(app, "--autorelay-static-peer", o.autorelay_static_peer,
       "Static relay candidates (multiaddrs with /p2p/<id>)", "EDGEVPNAUTORELAYPEERS");
  flag(app, "--relay-service", o.relay_service, "Offer the circuit relay v2 (hop) service",
       "EDGEVPN_RELAY_SERVICE");
  flag(app, "--relay-service-network-only", o.relay_service_network_only,
       "Relay only for peers of this network (seen in the healthcheck bucket)",
       "EDGEVPN_RELAY_SERVICE_NETWORK_ONLY");
  duration(app, "--relay-service-acl-refresh", o.relay_service_acl_refresh,
           "Refresh interval of the relay network-only ACL", "EDGEVPN_RELAY_SERVICE_ACL_REFRESH");
  value(app, "--relay-service-max-data", o.relay_service_max_data,
        "Relay: bytes per direction per relayed connection", "EDGEVPN_RELAY_MAX_DATA");
  duration(app, "--relay-service-max-duration", o.relay_service_max_duration,
           "Relay: maximum duration of a relayed connection", "EDGEVPN_RELAY_MAX_DURATION");
  value(app, "--relay-service-max-circuits", o.relay_service_max_circuits,
        "Relay: maximum circuits per peer", "EDGEVPN_RELAY_MAX_CIRCUITS");
  duration(app, "--relay-service-reservation-ttl", o.relay_service_reservation_ttl,
           "Relay: reservation lifetime", "EDGEVPN_RELAY_RESERVATION_TTL");
  value(app, "--relay-service-buffer-size", o.relay_service_buffer_size,
        "Relay: buffer size per relayed connection", "EDGEVPN_RELAY_BUFFER_SIZE");
  list(app, "--blacklist", o.blacklist, "Peer IDs or CIDRs to refuse", "EDGEVPNBLACKLIST");
  // Older EdgeVPN releases named it --resource-limit.
  flag(app, "--limit-enable,--resource-limit", o.limit_enable,
       "Enable the libp2p resource manager (experimental)", "LIMITENABLE");
  value(app, "--limit-file", o.limit_file, "Resource manager limits file (JSON)", "LIMITFILE");
  value(app, "--limit-scope", o.limit_scope, "Resource manager limit scope (unused)",
        "LIMITSCOPE");
  value(app, "--limit-config-streams", o.limit_config_streams,
        "Resource limit: streams (declared by EdgeVPN, never read)", "LIMITCONFIGSTREAMS");
  value(app, "--limit-config-streams-inbound", o.limit_config_streams_inbound,
        "Resource limit: inbound streams (never read)", "LIMITCONFIGSTREAMSINBOUND");
  value(app, "--limit-config-streams-outbound", o.limit_config_streams_outbound,
        "Resource limit: outbound streams (never read)", "LIMITCONFIGSTREAMSOUTBOUND");
  value(app, "--limit-config-conn", o.limit_config_conn,
        "Resource limit: connections (never read)", "LIMITCONFIGCONNS");
  value(app, "--limit-config-conn-inbound", o.limit_config_conn_inbound,
        "Resource limit: inbound connections (never read)", "LIMITCONFIGCONNSINBOUND");
  value(app, "--limit-config-conn-outbound", o.limit_config_conn_outbound,
        "Resource limit: outbound connections (never read)", "LIMITCONFIGCONNSOUTBOUND");
  value(app, "--limit-config-fd", o.limit_config_fd, "Resource limit: file descriptors (never read)",
        "LIMITCONFIGFD");
  flag(app, "--peerguard", o.peerguard, "Enable PeerGuardian trust zones (experimental)",
       "PEERGUARD");
  value(app, "--ownership", o.ownership,
        "Ledger ownership policy: off | observe (log, log-only) | enforce (on)",
        "EDGEVPNOWNERSHIP");
  value(app, "--ownership-ttl", o.ownership_ttl,
        "Ownership liveness window (s); 0 = 4 x the heartbeat interval", "EDGEVPNOWNERSHIPTTL");
  flag(app, "--ledger-legacy-sync", o.ledger_legacy_sync,
       "Re-publish the full ledger every --ledger-synchronization-interval as EdgeVPN does "
       "(for networks with Go nodes; default: on change, on demand and every 5 min)",
       "EDGEVPNLEDGERLEGACYSYNC");
  flag(app, "--privkey-cache", o.privkey_cache,
       "Keep the node identity key on disk and reuse it", "EDGEVPNPRIVKEYCACHE");
  value(app, "--privkey-cache-dir", o.privkey_cache_dir,
        "Directory of the cached identity key (file privkey)", "EDGEVPNPRIVKEYCACHEDIR");
  list(app, "--static-peertable", o.static_peertable,
       "Static routes as ip:peerid; replaces routing from the ledger", "EDGEVPNSTATICPEERTABLE");
  list(app, "--whitelist", o.whitelist, "Multiaddrs allow-listed in the resource manager",
       "EDGEVPNWHITELIST");
  flag(app, "--peergate", o.peergate, "Accept gossip only from the trust zone (experimental)",
       "PEERGATE");
  flag(app, "--peergate-autoclean", o.peergate_autoclean,
       "Remove peers from the trust zone automatically", "PEERGATE_AUTOCLEAN");
  flag(app, "--peergate-relaxed", o.peergate_relaxed, "Do not gate while the trust zone is empty",
       "PEERGATE_RELAXED");
  value(app, "--peergate-auth", o.peergate_auth,
        R"(Trust zone auth providers, JSON: {"ecdsa":{"private_key":"<key>"}})", "PEERGATE_AUTH");
  value(app, "--peergate-interval", o.peergate_interval,
        "Trust zone sync and challenge interval (s)", "EDGEVPNPEERGATEINTERVAL");
}

void add_root_flags(CLI::App& app, Options& o) {
  value(app, "--key-otp-interval", o.key_otp_interval,
        "OTP rotation interval (s) written into configs generated with -g");
  flag(app, "-g", o.generate, "Print a newly generated network config (YAML) and exit");
  flag(app, "-b", o.base64, "With -g, print the config as a base64 token");
  flag(app, "--debug", o.debug, "Serve pprof under /debug/pprof/ on the API");
  flag(app, "--api", o.api, "Also serve the HTTP API and web UI", "API");
  value(app, "--api-listen", o.api_listen, "API address: host:port or unix:///path", "APILISTEN");
  api_allowed_hosts(app, o);
  flag(app, "--dhcp", o.dhcp, "Allocate the VPN IPv4 address automatically (experimental)",
       "DHCP");
  flag(app, "--transient-conn", o.transient_conn, "Allow limited (relayed) connections",
       "TRANSIENTCONN");
  value(app, "--lease-dir", o.lease_dir, "DHCP lease directory", "DHCPLEASEDIR");
  list(app, "--address", o.address,
       "VPN address of this node (CIDR); give an IPv4 and an IPv6 one for dual stack", "ADDRESS");
  value(app, "--dns", o.dns_address, "Serve DNS on this address (empty = no DNS server)",
        "DNSADDRESS");
  flag(app, "--dns-forwarder", o.dns_forwarder, "Forward names the ledger does not know",
       "DNSFORWARD");
  flag(app, "--egress", o.egress, "Act as HTTP egress for proxy users", "EGRESS");
  value(app, "--egress-announce-time", o.egress_announce_time,
        "Maximum interval (s) of egress announcements", "EGRESSANNOUNCE");
  value(app, "--dns-cache-size", o.dns_cache_size, "Cached forwarded DNS answers",
        "DNSCACHESIZE");
  list(app, "--dns-forward-server", o.dns_forward_server, "Upstream DNS servers, tried in order",
       "DNSFORWARDSERVER");
  value(app, "--router", o.router,
        "VPN IP of the node that receives packets for unknown destinations", "ROUTER");
  value(app, "--interface", o.interface_name, "TUN interface name", "IFACE");
}

void add_api_flags(CLI::App& app, Options& o) {
  app.add_option("--listen", o.listen, "API address: host:port or unix:///path")
      ->default_str("127.0.0.1:8080");
  api_allowed_hosts(app, o);
  flag(app, "--enable-healthchecks", o.enable_healthchecks, "Also send heartbeats",
       "ENABLE_HEALTHCHECKS");
  flag(app, "--debug", o.debug, "Serve pprof under /debug/pprof/");
}

void add_service_flags(CLI::App& app, Options& o, bool connect) {
  app.add_option("--name", o.name, "Service name (or the first argument)");
  // The seed README's older spellings: --srcaddress (connect) and --remoteaddress (add).
  app.add_option(connect ? "--address,--srcaddress" : "--address,--remoteaddress",
                 o.service_address,
                 connect ? "Local address to bind, e.g. :8080 (or the second argument)"
                         : "Address the service forwards to, host:port (or the second argument)");
  app.add_option("--service", o.services,
                 connect ? "Repeatable: bind [ip]:port to service NAME (NAME=[IP]:PORT)"
                         : "Repeatable: expose HOST:PORT as service NAME (NAME=HOST:PORT)")
      ->type_name("NAME=ADDRESS");
  app.add_option("args", o.args, connect ? "<name> <[ip]:port>" : "<name> <host:port>");
}

void add_file_flags(CLI::App& app, Options& o, bool send) {
  auto* name = app.add_option("--name", o.name, "File name in the network");
  auto* path = app.add_option("--path", o.path, send ? "File to serve" : "Where to write the file");
  if (send) {
    name->required();
    path->required();
  } else {
    app.add_option("args", o.args, "<name> <path>");
  }
}

void add_proxy_flags(CLI::App& app, Options& o) {
  app.add_option("--listen", o.listen, "Proxy listen address")->default_str(":8080")->envname(
      "PROXYLISTEN");
  flag(app, "--api", o.api, "Also serve the HTTP API", "API");
  app.add_option("--api-listen", o.api_listen, "API address (must differ from --listen)")
      ->default_str("127.0.0.1:8081")
      ->envname("APILISTEN");
  api_allowed_hosts(app, o);
  flag(app, "--debug", o.debug, "Serve pprof under /debug/pprof/ on the API");
  value(app, "--interval", o.proxy_interval, "Maximum interval (s) of the users announcement",
        "PROXYINTERVAL");
  value(app, "--dead-interval", o.proxy_dead_interval,
        "Egress nodes silent for longer (s) are not used", "PROXYDEADINTERVAL");
}

void add_dns_flags(CLI::App& app, Options& o) {
  app.add_option("--listen", o.listen, "DNS listen address (empty = :53)")->envname("DNSADDRESS");
  flag(app, "--dns-forwarder", o.dns_forwarder, "Forward names the ledger does not know",
       "DNSFORWARD");
  value(app, "--dns-cache-size", o.dns_cache_size, "Cached forwarded DNS answers",
        "DNSCACHESIZE");
  list(app, "--dns-forward-server", o.dns_forward_server, "Upstream DNS servers, tried in order",
       "DNSFORWARDSERVER");
}

void add_genkey_flags(CLI::App& app, Options& o) {
  flag(app, "--privkey", o.genkey_privkey, "Print only the private key");
  flag(app, "--pubkey", o.genkey_pubkey, "Print only the public key");
}

}  // namespace edgevpn::cli
