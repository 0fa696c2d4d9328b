// Fuzzes the VPN's packet router on a batch of arbitrary packets against a fixed route table.
// Input: one flags byte (bit 0: --router rule, bit 1: ICMP off, bit 2: small size limit), then
// packets as a 2-byte big-endian length and that many bytes (cut at the end of the input).
// Checks: every packet is accounted for once; grouped packets are the input's own bytes, in input
// order, routed to their group's peer, never to us; ICMP replies are well-formed and bounded; the
// same batch routed again through the reused output gives the same groups.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>
#include <vector>

#include "vpn/packet/ip_packet.hpp"
#include "vpn/packet/packet_router.hpp"

namespace {

using namespace edgevpn;
using namespace edgevpn::vpn;

constexpr const char* kSelf = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
constexpr const char* kPeerB = "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk";
constexpr const char* kPeerC = "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY";

RouteIndex make_routes() {
  RouteIndex routes;
  routes.rebuild_machines(std::vector<RouteEntry>{
      make_route_entry("10.0.0.1", kSelf).value(), make_route_entry("10.0.0.2", kPeerB).value(),
      make_route_entry("10.0.0.3", kPeerC).value(), make_route_entry("10.0.0.4", kPeerB).value(),
      make_route_entry("10.0.0.5", kSelf).value(), make_route_entry("fd00::2", kPeerC).value()});
  routes.set_own_address(IpAddress::parse("10.0.0.1").value());
  return routes;
}

PacketRouterConfig make_config(uint8_t flags) {
  PacketRouterConfig config;
  config.self = crypto::PeerId::parse(kSelf).value();
  config.addresses = {IpNetwork::parse("10.0.0.1/24").value(),
                      IpNetwork::parse("fd00::1/64").value()};
  config.icmp_unreachable = (flags & 2) == 0;
  config.icmp_burst = 4;
  config.max_packet_size = (flags & 4) ? 64 : 65535;
  return config;
}

bool same_peer(const crypto::PeerId* a, const crypto::PeerId* b) {
  return a != nullptr && b != nullptr && *a == *b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const RouteIndex base_routes = make_routes();
  const uint8_t flags = data[0];
  RouteIndex routes = base_routes;
  if (flags & 1) routes.set_router(IpAddress::parse("10.0.0.3").value());

  std::vector<util::ByteView> packets;
  for (size_t offset = 1; offset < size && packets.size() < 128;) {
    size_t length = data[offset];
    if (offset + 1 < size) length = (length << 8) | data[offset + 1];
    offset += 2;
    if (offset > size) offset = size;
    length = std::min(length, size - offset);
    packets.emplace_back(data + offset, length);
    offset += length;
  }

  PacketRouter router(make_config(flags));
  const auto now = util::SteadyTime{} + std::chrono::hours(1);
  RoutedBatch out;
  router.route(packets, routes, now, out);

  const auto& counts = out.counts();
  if (counts.routed + counts.malformed + counts.local + counts.no_route != packets.size()) {
    std::abort();
  }
  if (counts.icmp_replies != out.icmp_replies().size() ||
      counts.icmp_replies + counts.icmp_rate_limited > counts.no_route ||
      (!router.config().icmp_unreachable && counts.icmp_replies != 0)) {
    std::abort();
  }
  uint64_t grouped = 0;
  for (size_t g = 0; g < out.peers().size(); ++g) {
    const auto& group = out.peers()[g];
    if (group.packets.empty() || *group.peer == router.config().self) std::abort();
    for (size_t other = 0; other < g; ++other) {
      if (same_peer(out.peers()[other].peer, group.peer)) std::abort();  // one group per peer
    }
    const uint8_t* previous = nullptr;
    for (const auto packet : group.packets) {
      // The input's own bytes, in order, within one input packet.
      if (packet.data() < data || packet.data() + packet.size() > data + size) std::abort();
      if (previous != nullptr && packet.data() <= previous) std::abort();
      previous = packet.data();
      auto header = parse_ip_header(packet);
      if (!header.ok() || header->total_length != packet.size()) std::abort();
      if (packet.size() > router.config().max_packet_size) std::abort();
      if (router.is_own_address(header->destination)) std::abort();
      if (!same_peer(routes.route(header->source, header->destination), group.peer)) std::abort();
    }
    grouped += group.packets.size();
  }
  if (grouped != counts.routed) std::abort();
  for (const auto& reply : out.icmp_replies()) {
    auto header = parse_ip_header(reply);
    if (!header.ok() || header->total_length != reply.size() || reply.size() > 1280) std::abort();
    if (header->protocol != kProtocolIcmp && header->protocol != kProtocolIcmpv6) std::abort();
  }

  // Routing the batch again through the reused output gives the same groups.
  std::vector<std::pair<const crypto::PeerId*, std::vector<util::ByteView>>> first;
  for (const auto& group : out.peers()) first.emplace_back(group.peer, group.packets);
  const RouteCounts first_counts = counts;
  router.route(packets, routes, now, out);
  if (out.peers().size() != first.size() || out.counts().routed != first_counts.routed ||
      out.counts().malformed != first_counts.malformed ||
      out.counts().local != first_counts.local || out.counts().no_route != first_counts.no_route) {
    std::abort();
  }
  for (size_t g = 0; g < first.size(); ++g) {
    const auto& group = out.peers()[g];
    if (!same_peer(group.peer, first[g].first) || group.packets.size() != first[g].second.size()) {
      std::abort();
    }
    for (size_t i = 0; i < group.packets.size(); ++i) {
      if (group.packets[i].data() != first[g].second[i].data() ||
          group.packets[i].size() != first[g].second[i].size()) {
        std::abort();
      }
    }
  }
  return 0;
}
