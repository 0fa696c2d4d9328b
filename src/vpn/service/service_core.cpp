// The per-packet I/O of the data plane: the router's decisions carried out (packets into peer
// queues, ICMP errors into the TUN), packets from peers checked and delivered. No allocation per
// routed packet.
#include "vpn/service/service_core.hpp"

#include <optional>

#include "util/log/log.hpp"
#include "vpn/packet/fast_framing.hpp"
#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn {

namespace {

PacketRouterConfig router_config(const crypto::PeerId& self, const VpnConfig& config) {
  PacketRouterConfig out;
  out.self = self;
  out.addresses = config.addresses;
  out.routed_networks = config.routed_networks;
  out.max_packet_size = kMaxFastFramePacket;  // only a packet size above 65535 gets past it
  out.icmp_unreachable = config.icmp_unreachable;
  out.icmp_per_second = config.icmp_per_second;
  out.icmp_burst = config.icmp_burst;
  return out;
}

}  // namespace

ServiceCore::ServiceCore(const asio::any_io_executor& executor_in, p2p::host::Host& host_in,
                         int tun_fd, VpnConfig config_in)
    : executor(executor_in),
      host(host_in),
      self(host_in.peer_id()),
      config(std::move(config_in)),
      port(executor_in, tun_fd, config.tun_write_backlog_bytes),
      router(router_config(self, config)),
      log(log::get("vpn")),
      tasks(executor_in, "vpn") {
  apply_addresses();
}

void ServiceCore::apply_addresses() {
  router.set_addresses(config.addresses);
  // RouteIndex keeps one own address for the --router rule: prefer IPv4, as EdgeVPN is v4-first.
  std::optional<IpAddress> own;
  for (const auto& network : config.addresses) {
    if (!own || (network.address.is_v4() && !own->is_v4())) own = network.address;
  }
  routes.set_own_address(own);
  routes.set_router(config.router);
}

// --- send path ---------------------------------------------------------------------------

void ServiceCore::route_batch(const PacketBatch& batch, util::SteadyTime now) {
  router.route(batch, routes, now, routed);
  const RouteCounts& counts = routed.counts();
  stats.malformed += counts.malformed;
  stats.dropped_local += counts.local;
  stats.dropped_no_route += counts.no_route;
  for (const PeerPackets& group : routed.peers()) {
    PeerSender& sender = sender_for(*group.peer);
    bool queued = false;
    for (const util::ByteView packet : group.packets) {
      switch (sender.enqueue(packet, now, config.peer_queue_packets, config.peer_queue_bytes)) {
        case PeerSender::Enqueued::kQueued: queued = true; break;
        case PeerSender::Enqueued::kQueueFull: ++stats.dropped_queue_full; break;
        case PeerSender::Enqueued::kBackedOff: ++stats.dropped_stream_error; break;
      }
    }
    if (queued) sender.wake.notify();  // once per batch and peer
  }
  for (const util::Bytes& reply : routed.icmp_replies()) {
    if (port.write(reply) == PacketPort::WriteOutcome::kDropped) {
      ++stats.dropped_tun_write;
      continue;
    }
    ++stats.icmp_unreachable_sent;
  }
}

PeerSender& ServiceCore::sender_for(const crypto::PeerId& peer) {
  auto it = senders.find(peer);
  if (it != senders.end()) return *it->second;
  auto sender = std::make_shared<PeerSender>(executor, peer);
  senders.emplace(peer, sender);
  tasks.spawn(run_peer_sender(weak_self.lock(), sender), "peer sender");
  return *sender;
}

void ServiceCore::enforce_access() {
  for (auto it = senders.begin(); it != senders.end();) {
    if (routes.allows_peer(it->first)) {
      ++it;
      continue;
    }
    PeerSender& sender = *it->second;
    sender.closing = true;
    stats.dropped_stream_error += sender.clear_queue();
    sender.wake.notify();
    it = senders.erase(it);
  }
  for (auto& stream : inbound) {
    if (!routes.allows_peer(stream.remote_peer())) {
      ++stats.rejected_streams;
      stream.reset();  // its reader sees the reset and leaves
    }
  }
}

// --- receive path --------------------------------------------------------------------------

void ServiceCore::deliver(util::ByteView packet) {
  auto header = parse_ip_header(packet);
  if (!header.ok()) {
    ++stats.malformed;
    return;
  }
  if (!router.accepts_destination(header->destination)) {
    ++stats.dropped_not_for_us;
    return;
  }
  if (port.write(packet) == PacketPort::WriteOutcome::kDropped) {
    ++stats.dropped_tun_write;
    return;
  }
  ++stats.packets_received;
  stats.bytes_received += packet.size();
}

void ServiceCore::stop() {
  if (stopped) return;
  stopped = true;
  port.close();
  for (auto& [peer, sender] : senders) {
    sender->closing = true;
    sender->clear_queue();
    if (sender->stream.valid()) sender->stream.reset();
    sender->wake.notify();
  }
  senders.clear();
  for (auto& stream : inbound) stream.reset();
  tasks.cancel();
}

}  // namespace edgevpn::vpn
