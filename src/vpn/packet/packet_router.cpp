// PacketRouter: per packet, parse, drop the local and the malformed, look the route up (once per
// run of one flow), group by peer; answer the unroutable with rate-limited ICMP errors.
#include "vpn/packet/packet_router.hpp"

#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn {

void RoutedBatch::clear() {
  for (size_t i = 0; i < used_; ++i) groups_[i].packets.clear();  // keeps their capacity
  used_ = 0;
  replies_.clear();
  counts_ = {};
}

PeerPackets& RoutedBatch::group_for(const crypto::PeerId* peer) {
  // A batch reaches few peers: a scan beats a hash map here, and allocates nothing.
  for (size_t i = 0; i < used_; ++i) {
    if (groups_[i].peer == peer || *groups_[i].peer == *peer) return groups_[i];
  }
  if (used_ == groups_.size()) groups_.emplace_back();
  PeerPackets& group = groups_[used_++];
  group.peer = peer;
  return group;
}

PacketRouter::PacketRouter(PacketRouterConfig config)
    : config_(std::move(config)), icmp_limiter_(config_.icmp_per_second, config_.icmp_burst) {
  set_addresses(std::move(config_.addresses));
}

void PacketRouter::set_addresses(std::vector<IpNetwork> addresses) {
  config_.addresses = std::move(addresses);
  // ICMP errors name the TUN's IPv4 network, to recognise its directed broadcast.
  unreachable_.local_network.reset();
  for (const auto& network : config_.addresses) {
    if (network.address.is_v4()) {
      unreachable_.local_network = network;
      break;
    }
  }
}

bool PacketRouter::is_own_address(const IpAddress& address) const {
  for (const auto& network : config_.addresses) {
    if (network.address == address) return true;
  }
  return false;
}

bool PacketRouter::accepts_destination(const IpAddress& destination) const {
  if (is_own_address(destination)) return true;
  for (const auto& network : config_.routed_networks) {
    if (network.contains(destination)) return true;
  }
  return false;
}

void PacketRouter::route(const PacketBatch& batch, const RouteIndex& routes, util::SteadyTime now,
                         RoutedBatch& out) {
  out.clear();
  last_.valid = false;  // routes may have changed since the last batch
  for (size_t i = 0; i < batch.size(); ++i) route_one(batch.packet(i), routes, now, out);
}

void PacketRouter::route(std::span<const util::ByteView> packets, const RouteIndex& routes,
                         util::SteadyTime now, RoutedBatch& out) {
  out.clear();
  last_.valid = false;
  for (const auto packet : packets) route_one(packet, routes, now, out);
}

void PacketRouter::route_one(util::ByteView packet, const RouteIndex& routes, util::SteadyTime now,
                             RoutedBatch& out) {
  RouteCounts& counts = out.counts_;
  auto header = parse_ip_header(packet);
  if (!header.ok()) {
    ++counts.malformed;
    return;
  }
  // The kernel hands us whole packets; anything past the IP length is not part of it.
  packet = packet.first(header->total_length);
  if (is_own_address(header->destination)) {
    ++counts.local;
    return;
  }
  if (packet.size() > config_.max_packet_size) {
    ++counts.malformed;
    return;
  }
  if (!last_.valid || last_.destination != header->destination || last_.source != header->source) {
    const crypto::PeerId* peer = routes.route(header->source, header->destination);
    if (peer == nullptr) {
      ++counts.no_route;
      answer_unreachable(packet, now, out);
      return;
    }
    if (*peer == config_.self) {
      ++counts.local;
      return;
    }
    const PeerPackets& group = out.group_for(peer);
    last_ = {header->source, header->destination, static_cast<size_t>(&group - out.groups_.data()),
             true};
  }
  out.groups_[last_.group].packets.push_back(packet);
  ++counts.routed;
}

void PacketRouter::answer_unreachable(util::ByteView packet, util::SteadyTime now,
                                      RoutedBatch& out) {
  if (!config_.icmp_unreachable) return;
  auto reply = make_destination_unreachable(packet, unreachable_);
  if (!reply) return;
  if (!icmp_limiter_.allow(now)) {
    ++out.counts_.icmp_rate_limited;
    return;
  }
  out.replies_.push_back(std::move(*reply));
  ++out.counts_.icmp_replies;
}

}  // namespace edgevpn::vpn
