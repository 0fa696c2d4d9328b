// The send path's decisions as values (sans-I/O): for a batch of packets read from the TUN, which
// peer gets which packets (grouped per peer, in order), which are dropped and why, and the ICMP
// "destination unreachable" errors to write back (rate-limited). The VPN service does the I/O:
// queueing to the peers' senders and writing the replies to the TUN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/peer_id.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "vpn/packet/icmp_unreachable.hpp"
#include "vpn/packet/ip_address.hpp"
#include "vpn/packet/packet_batch.hpp"
#include "vpn/packet/route_index.hpp"

namespace edgevpn::vpn {

struct PacketRouterConfig {
  crypto::PeerId self;                     // a route to ourselves is a local drop
  std::vector<IpNetwork> addresses;        // ours: packets to them never leave
  std::vector<IpNetwork> routed_networks;  // beyond our addresses, what peers may send us
  size_t max_packet_size = 65535;          // longer packets are malformed (fast-frame limit)
  bool icmp_unreachable = true;            // answer packets without a route
  double icmp_per_second = 100;
  double icmp_burst = 20;
};

// Packets of one batch that go to one peer, in the order they were read.
struct PeerPackets {
  // Points into the RouteIndex given to route(): valid until that index changes.
  const crypto::PeerId* peer = nullptr;
  // Views into the batch, cut to their IP length: valid until the batch is cleared.
  std::vector<util::ByteView> packets;
};

struct RouteCounts {
  uint64_t routed = 0;     // in peers()
  uint64_t malformed = 0;  // no valid IP header, or longer than max_packet_size
  uint64_t local = 0;      // to one of our addresses, or routed to ourselves
  uint64_t no_route = 0;   // no peer for the destination (ICMP answered, when allowed)
  uint64_t icmp_replies = 0;
  uint64_t icmp_rate_limited = 0;  // an answer was due but the rate limiter refused it
};

// What route() decided for one batch. Reused from batch to batch: the vectors keep their capacity,
// so routing allocates nothing per packet once warm (ICMP replies aside).
class RoutedBatch {
 public:
  std::span<const PeerPackets> peers() const { return {groups_.data(), used_}; }
  std::span<const util::Bytes> icmp_replies() const { return replies_; }
  const RouteCounts& counts() const { return counts_; }
  void clear();

 private:
  friend class PacketRouter;
  PeerPackets& group_for(const crypto::PeerId* peer);

  std::vector<PeerPackets> groups_;  // the first used_ are this batch's
  size_t used_ = 0;
  std::vector<util::Bytes> replies_;
  RouteCounts counts_;
};

class PacketRouter {
 public:
  explicit PacketRouter(PacketRouterConfig config);

  const PacketRouterConfig& config() const { return config_; }
  void set_addresses(std::vector<IpNetwork> addresses);

  // Routes every packet of `batch` through `routes` (clears `out` first).
  void route(const PacketBatch& batch, const RouteIndex& routes, util::SteadyTime now,
             RoutedBatch& out);
  void route(std::span<const util::ByteView> packets, const RouteIndex& routes,
             util::SteadyTime now, RoutedBatch& out);

  // Receive path: may a packet from a peer go to `destination`? (Ours, or a routed network.)
  bool accepts_destination(const IpAddress& destination) const;
  bool is_own_address(const IpAddress& address) const;

 private:
  void route_one(util::ByteView packet, const RouteIndex& routes, util::SteadyTime now,
                 RoutedBatch& out);
  void answer_unreachable(util::ByteView packet, util::SteadyTime now, RoutedBatch& out);

  PacketRouterConfig config_;
  IcmpRateLimiter icmp_limiter_;
  UnreachableOptions unreachable_;
  // Packets of a batch mostly belong to a few flows: the last flow's group skips the lookups.
  struct LastFlow {
    IpAddress source;
    IpAddress destination;
    size_t group = 0;
    bool valid = false;
  } last_;
};

}  // namespace edgevpn::vpn
