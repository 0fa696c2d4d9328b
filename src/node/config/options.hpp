// Every command-line flag of EdgeVPN (spec section 1) in C++ form, with EdgeVPN's defaults. The
// CLI fills it; the node and the command actions read it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace edgevpn::node {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// $HOME/.edgevpn, or $PWD/.edgevpn without a home directory.
std::string default_state_dir();
// $HOME/.edgevpn/leases, or $TMPDIR/.edgevpn/leases.
std::string default_lease_dir();

enum class Command {
  kVpn,  // the root action
  kGenerate,  // root with -g / -g -b
  kStart,
  kApi,
  kServiceAdd,
  kServiceConnect,
  kFileSend,
  kFileReceive,
  kProxy,
  kDns,
  kPeergaterEcdsaGenkey,
  kTokenInfo,  // hidden diagnostic, not an EdgeVPN command
  kHelp,
};

struct Options {
  Command command = Command::kVpn;
  std::vector<std::string> args;  // positionals of service-add/-connect and file-*

  // --- 1.3 common flags (root and every network subcommand) ---
  std::string config;  // EDGEVPNCONFIG
  std::string token;   // EDGEVPNTOKEN
  std::vector<std::string> listen_maddrs;
  std::vector<std::string> dht_announce_maddrs;
  nanoseconds timeout = seconds(15);
  int mtu = 1200;
  bool bootstrap_iface = true;
  int packet_mtu = 1420;
  int channel_buffer_size = 0;
  int discovery_interval = 720;        // s
  int ledger_announce_interval = 10;   // s
  nanoseconds autorelay_discovery_interval = minutes(5);
  bool autorelay_static_only = false;
  int ledger_synchronization_interval = 10;  // s
  int nat_ratelimit_global = 10;
  int nat_ratelimit_peer = 10;
  int nat_ratelimit_interval = 60;  // s
  bool nat_ratelimit = true;
  int max_connections = 0;
  std::string ledger_state;
  bool mdns = true;
  bool autorelay = true;
  int concurrency = static_cast<int>(std::thread::hardware_concurrency());
  bool holepunch = true;
  bool natservice = true;
  bool natmap = true;
  bool dht = true;
  std::string dht_mode = "auto";  // not an EdgeVPN flag: auto | client | server
  bool low_profile = true;
  int aliveness_healthcheck_interval = 120;        // s
  int aliveness_healthcheck_scrub_interval = 600;  // s
  int aliveness_healthcheck_max_interval = 900;    // s
  std::string log_level = "info";
  std::string libp2p_log_level = "fatal";
  std::vector<std::string> discovery_bootstrap_peers;
  int connection_high_water = 0;
  int connection_low_water = 0;
  std::vector<std::string> autorelay_static_peer;
  bool relay_service = true;
  bool relay_service_network_only = true;
  nanoseconds relay_service_acl_refresh = seconds(30);
  int64_t relay_service_max_data = 1 << 30;
  nanoseconds relay_service_max_duration = minutes(30);
  int relay_service_max_circuits = 64;
  nanoseconds relay_service_reservation_ttl = hours(1);
  int relay_service_buffer_size = 65536;
  std::vector<std::string> blacklist;
  bool limit_enable = false;
  std::string limit_file;
  std::string limit_scope = "system";
  int limit_config_streams = 200;
  int limit_config_streams_inbound = 30;
  int limit_config_streams_outbound = 30;
  int limit_config_conn = 200;
  int limit_config_conn_inbound = 30;
  int limit_config_conn_outbound = 30;
  int limit_config_fd = 30;
  bool peerguard = false;
  std::string ownership = "enforce";  // parsed by parse_ownership at start-up
  int ownership_ttl = 0;              // s; 0 = 4 x heartbeat interval
  bool ledger_legacy_sync = false;    // not an EdgeVPN flag: EdgeVPN's full-ledger schedule
  bool privkey_cache = false;
  std::string privkey_cache_dir = default_state_dir();
  std::vector<std::string> static_peertable;  // ip:peerid
  std::vector<std::string> whitelist;
  bool peergate = false;
  bool peergate_autoclean = false;
  bool peergate_relaxed = false;
  std::string peergate_auth;  // JSON {"ecdsa":{"private_key":"..."}}
  int peergate_interval = 120;  // s

  // --- 1.2 root-only flags (VPN command) ---
  int key_otp_interval = 360;  // s, written into tokens made with -g
  bool generate = false;       // -g
  bool base64 = false;         // -b
  bool debug = false;          // also on api and proxy
  bool api = false;            // also on proxy
  std::string api_listen = "127.0.0.1:8080";  // proxy: 127.0.0.1:8081
  std::vector<std::string> api_allowed_hosts;  // names besides IPs and localhost
  bool dhcp = false;
  bool transient_conn = false;
  std::string lease_dir = default_lease_dir();
  std::vector<std::string> address = {"10.1.0.1/24"};  // one per family (dual stack)
  std::string dns_address;  // --dns; the dns command's --listen
  bool dns_forwarder = true;
  bool egress = false;
  int egress_announce_time = 200;  // s
  int dns_cache_size = 200;
  std::vector<std::string> dns_forward_server = {"8.8.8.8:53", "1.1.1.1:53"};
  std::string router;
  std::string interface_name = "edgevpn0";

  // --- subcommand flags ---
  std::string listen;  // api: 127.0.0.1:8080, proxy: :8080, dns: "" (= :53)
  bool enable_healthchecks = false;  // api
  std::string name;                  // service-*, file-*
  std::vector<std::string> services;  // service-add/-connect: repeatable --service NAME=ADDRESS
  std::string service_address;       // service-add: host:port; service-connect: local bind
  std::string path;                  // file-*
  int proxy_interval = 120;          // s
  int proxy_dead_interval = 600;     // s
  bool genkey_privkey = false;       // peergater ecdsa-genkey
  bool genkey_pubkey = false;

  // --- diagnostics (not EdgeVPN flags) ---
  int64_t at_unix_seconds = -1;  // token-info --at: derive for this time instead of now
};

// The defaults a command starts from: Options{} plus the per-command defaults of the flags
// EdgeVPN declares differently on several commands (--listen, --api-listen).
Options defaults_for(Command command);

}  // namespace edgevpn::node
