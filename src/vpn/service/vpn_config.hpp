// Settings and counters of the VPN data plane (VpnService).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "vpn/packet/ip_address.hpp"

namespace edgevpn::vpn {

// Go EdgeVPN's VPN protocol (spec 9): raw IP packets, one per stream. The fast path's ID is
// kFastPathProtocolId (vpn/packet/fast_framing.hpp).
inline constexpr std::string_view kLegacyProtocolId = "/edgevpn/0.1";

struct VpnConfig {
  // Our VPN addresses (--address, IPv4 and/or IPv6). Packets from peers must be addressed to one
  // of them (or to `routed_networks`); packets from the TUN to them are never sent out.
  std::vector<IpNetwork> addresses;
  // --router: packets from our own address to an unknown destination go to this VPN IP's peer.
  std::optional<IpAddress> router;
  // Networks behind this node that peers may send packets to (a router/gateway node), beyond
  // our own addresses; {0.0.0.0/0, ::/0} accepts everything, as Go EdgeVPN does.
  std::vector<IpNetwork> routed_networks;
  // Offer and accept /edgevpn/fastpath/1.0.0; when false we speak only /edgevpn/0.1 (as Go).
  bool enable_fastpath = true;
  // Largest packet read from the TUN or accepted from a peer (65535 leaves room for GSO
  // super-packets; the TUN MTU is usually far below).
  size_t max_packet_size = 65535;
  // Packets per TUN read batch, and how many batches one wake-up may read before yielding.
  size_t tun_batch_size = 64;
  size_t tun_batches_per_wake = 4;
  // Per-peer send queue bound (packets and bytes); beyond it packets are dropped and counted.
  size_t peer_queue_packets = 4096;
  size_t peer_queue_bytes = 4 * 1024 * 1024;
  // /edgevpn/0.1 peers: packets in flight at once (one stream each), like Go's --concurrency.
  size_t legacy_streams_in_flight = 16;
  // Packets from peers waiting for a full TUN (a socket in tests; a real TUN rarely pushes back).
  // Stream readers pause above half of it, which pushes back on the sender through yamux.
  size_t tun_write_backlog_bytes = 4 * 1024 * 1024;
  // After failing to open a stream to a peer, its packets are dropped for this long.
  std::chrono::milliseconds reopen_backoff{1000};
  // Answer packets without a route with ICMP/ICMPv6 destination unreachable (rate-limited).
  bool icmp_unreachable = true;
  double icmp_per_second = 100;
  double icmp_burst = 20;
};

struct VpnStats {
  uint64_t packets_sent = 0;      // handed to a peer stream
  uint64_t bytes_sent = 0;        // IP bytes, framing not included
  uint64_t packets_received = 0;  // from peers, written (or queued) to the TUN
  uint64_t bytes_received = 0;
  uint64_t dropped_no_route = 0;
  uint64_t dropped_queue_full = 0;    // a peer's send queue was full
  uint64_t dropped_local = 0;         // to our own address, or routed to ourselves
  uint64_t dropped_stream_error = 0;  // lost with a failed stream, or while it is backed off
  uint64_t dropped_not_for_us = 0;    // from a peer, to an address that is not ours
  uint64_t dropped_tun_write = 0;     // refused by the TUN, or its backlog was full
  uint64_t malformed = 0;             // bad frames or packets (streams are reset)
  uint64_t rejected_streams = 0;      // from peers outside the machines bucket / static table
  uint64_t icmp_unreachable_sent = 0;
  uint64_t tun_read_errors = 0;
  uint64_t fastpath_streams_in = 0;  // inbound streams accepted, by protocol
  uint64_t legacy_streams_in = 0;
  uint64_t streams_opened = 0;   // outbound streams (fast path sessions and legacy packets)
  uint64_t fastpath_writes = 0;  // batched stream writes (packets_sent / this = batch size)
  // Current outbound peers by negotiated protocol.
  uint64_t fastpath_peers = 0;
  uint64_t legacy_peers = 0;
};

}  // namespace edgevpn::vpn
