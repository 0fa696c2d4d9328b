// libp2p mDNS discovery records (libp2p/specs discovery/mdns.md as go-libp2p/zeroconf implement
// it): the browse query for a service, our response (PTR service -> instance, SRV, TXT with
// "dnsaddr=<multiaddr>/p2p/<id>", A/AAAA) and the peers found in others' responses. EdgeVPN uses
// the token's `mdns` string verbatim as the service (spec 8.2); plain libp2p uses "_p2p._udp".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/mdns/dns_message.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::mdns {

inline constexpr std::string_view kDefaultService = "_p2p._udp";
inline constexpr std::string_view kDomain = "local";
inline constexpr std::string_view kDnsaddrPrefix = "dnsaddr=";
inline constexpr uint16_t kMdnsPort = 5353;
inline constexpr std::string_view kIpv4Group = "224.0.0.251";
inline constexpr std::string_view kIpv6Group = "ff02::fb";
// go-libp2p registers port 4001 in SRV and ignores it when browsing: only TXT matters.
inline constexpr uint16_t kSrvPort = 4001;
// zeroconf's default is 3200 s; go clients suppress repeats of an entry until its TTL passes, so
// a short TTL lets them rediscover us quickly after a restart.
inline constexpr uint32_t kDefaultTtl = 120;

// Uniform integer in [0, bound): the injected randomness source.
using RandomUniform = std::function<uint32_t(uint32_t bound)>;

// 32 to 63 characters of [a-z0-9], as go-libp2p's mdns names its instance.
std::string random_instance_name(const RandomUniform& uniform);

// "<service>.local".
std::string service_fqdn(std::string_view service);

struct LocalService {
  std::string service = std::string(kDefaultService);  // EdgeVPN: the token's mdns string
  std::string instance;                                // random_instance_name()
  crypto::PeerId peer_id;
  std::vector<Multiaddr> addrs;  // concrete listen addresses (no 0.0.0.0 / ::)
  uint32_t ttl = kDefaultTtl;

  std::string instance_fqdn() const;  // "<instance>.<service>.local"
  std::string host_fqdn() const;      // "<instance>.local" (the SRV target)
};

// The TXT strings for `addrs`: "dnsaddr=<addr>/p2p/<id>" for IP or .local DNS addresses, leaving
// out circuit, websocket, webtransport and webrtc addresses and strings over 255 bytes.
std::vector<std::string> dnsaddr_texts(const crypto::PeerId& id,
                                       const std::vector<Multiaddr>& addrs);

// The browse query: one PTR question for "<service>.local".
DnsMessage build_query(std::string_view service);

// Our announcement / browse answer: PTR in answers; SRV, TXT, A (first IPv4), AAAA (first IPv6) in
// additionals. kInvalidArgument when there is no IP address to announce (go refuses to start then).
util::Result<DnsMessage> build_response(const LocalService& local, uint16_t id = 0);

struct QueryReply {
  DnsMessage message;
  bool unicast = false;  // a question asked for a unicast reply (QU bit)
};
// The reply to an incoming packet, if it is a query we should answer: a PTR/ANY question for our
// service (unless the querier already lists our PTR with at least half its TTL left) or an
// SRV/TXT/ANY question for our instance. Probes (queries with authority records) are ignored.
std::optional<QueryReply> answer_query(const DnsMessage& query, const LocalService& local);

struct DiscoveredPeer {
  crypto::PeerId id;
  std::vector<Multiaddr> addrs;  // without the /p2p suffix

  bool operator==(const DiscoveredPeer&) const = default;
};

// Peers announced in a response for `service`: every TXT record under "<service>.local" is read
// for dnsaddr= strings ending in /p2p/<id>. Our own ID is skipped; queries yield nothing.
std::vector<DiscoveredPeer> parse_response(const DnsMessage& message, std::string_view service,
                                           const crypto::PeerId& self);

}  // namespace edgevpn::p2p::mdns
