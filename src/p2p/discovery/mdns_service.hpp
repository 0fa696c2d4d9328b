// mDNS discovery on the host (I/O): UDP sockets on 0.0.0.0:5353 and [::]:5353 joined to
// 224.0.0.251 / ff02::fb on every up, multicast-capable, non-loopback interface; announces our
// addresses under the service name (EdgeVPN: the token's mdns string), browses on
// mdns::MdnsScheduler's bounded schedule, answers queries, ignores our own packets and reports the
// peers it finds (the caller dials them).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "p2p/host/host.hpp"
#include "p2p/mdns/mdns_records.hpp"
#include "p2p/mdns/mdns_scheduler.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::p2p::discovery {

struct MdnsConfig {
  std::string service = std::string(mdns::kDefaultService);
  mdns::MdnsTiming timing;
  uint32_t ttl = mdns::kDefaultTtl;
  uint16_t port = mdns::kMdnsPort;
  // 224.0.0.251 on 0.0.0.0:5353 (start() fails when it cannot be bound), and ff02::fb on
  // [::]:5353 (skipped quietly when IPv6 is unavailable).
  bool ipv4 = true;
  bool ipv6 = true;
  // New interfaces are joined when found at this period.
  std::chrono::milliseconds interface_rescan{std::chrono::seconds(30)};
  // The same peer is reported again at most this often (it keeps announcing).
  std::chrono::milliseconds report_interval{std::chrono::seconds(10)};
};

struct MdnsStats {
  uint64_t queries_sent = 0;
  uint64_t responses_sent = 0;  // announcements and answers, counted once per interface
  uint64_t packets_received = 0;
  uint64_t bad_packets = 0;
  uint64_t peers_reported = 0;
};

using MdnsPeerCallback = std::function<void(const mdns::DiscoveredPeer& peer)>;

class MdnsService {
 public:
  MdnsService(asio::io_context& io, host::Host& host, MdnsConfig config = {});
  ~MdnsService();
  MdnsService(const MdnsService&) = delete;
  MdnsService& operator=(const MdnsService&) = delete;

  // Found peers (never ourselves). Their addresses are also added to the host's peerstore.
  void on_peer_found(MdnsPeerCallback callback);
  // Binds the socket, joins the group on the current interfaces, starts announcing and browsing.
  // kIo when the socket cannot be bound.
  util::Status start();
  void stop();

  // The interfaces joined, as "<name>/ipv4" and "<name>/ipv6".
  std::vector<std::string> interfaces() const;
  MdnsStats stats() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgevpn::p2p::discovery
