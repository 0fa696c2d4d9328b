// The per-packet work of the data plane: route TUN packets into peer queues, answer the
// unroutable with ICMP, check and deliver packets from peers. No allocation per routed packet.
#include "vpn/service/service_core.hpp"

#include "util/log/log.hpp"
#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn {

ServiceCore::ServiceCore(const asio::any_io_executor& executor_in, p2p::host::Host& host_in,
                         int tun_fd, VpnConfig config_in)
    : executor(executor_in),
      host(host_in),
      self(host_in.peer_id()),
      config(std::move(config_in)),
      port(executor_in, tun_fd, config.tun_write_backlog_bytes),
      icmp_limiter(config.icmp_per_second, config.icmp_burst),
      log(log::get("vpn")),
      tasks(executor_in, "vpn") {
  apply_addresses();
}

void ServiceCore::apply_addresses() {
  // RouteIndex keeps one own address for the --router rule: prefer IPv4, as EdgeVPN is v4-first.
  std::optional<IpAddress> own;
  for (const auto& network : config.addresses) {
    if (!own || (network.address.is_v4() && !own->is_v4())) own = network.address;
  }
  routes.set_own_address(own);
  routes.set_router(config.router);
}

bool ServiceCore::is_own_address(const IpAddress& address) const {
  for (const auto& network : config.addresses) {
    if (network.address == address) return true;
  }
  return false;
}

bool ServiceCore::accepts_destination(const IpAddress& destination) const {
  if (is_own_address(destination)) return true;
  for (const auto& network : config.routed_networks) {
    if (network.contains(destination)) return true;
  }
  return false;
}

// --- send path ---------------------------------------------------------------------------

void ServiceCore::route_batch(const PacketBatch& batch, util::SteadyTime now) {
  last_route = {};  // routes may have changed since the last batch
  for (size_t i = 0; i < batch.size(); ++i) route_packet(batch.packet(i), now);
  for (PeerSender* sender : due_senders) {
    sender->notify_due = false;
    sender->wake.notify();
  }
  due_senders.clear();
}

void ServiceCore::route_packet(util::ByteView packet, util::SteadyTime now) {
  auto header = parse_ip_header(packet);
  if (!header.ok()) {
    ++stats.malformed;
    return;
  }
  // The kernel hands us whole packets; anything past the IP length is not part of it.
  packet = packet.first(header->total_length);
  if (is_own_address(header->destination)) {
    ++stats.dropped_local;
    return;
  }
  if (packet.size() > kMaxFastFramePacket) {  // only with a packet size above 65535
    ++stats.malformed;
    return;
  }
  // Packets of a batch mostly belong to a few flows: skip the two hash lookups for a run.
  PeerSender* cached = last_route.sender;
  if (cached == nullptr || last_route.destination != header->destination ||
      last_route.source != header->source) {
    const crypto::PeerId* peer = routes.route(header->source, header->destination);
    if (peer == nullptr) {
      ++stats.dropped_no_route;
      answer_unreachable(packet, now);
      return;
    }
    if (*peer == self) {
      ++stats.dropped_local;
      return;
    }
    cached = &sender_for(*peer);
    last_route = {header->source, header->destination, cached};
  }
  PeerSender& sender = *cached;
  switch (sender.enqueue(packet, now, config.peer_queue_packets, config.peer_queue_bytes)) {
    case PeerSender::Enqueued::kQueued:
      if (!sender.notify_due) {
        sender.notify_due = true;
        due_senders.push_back(&sender);
      }
      break;
    case PeerSender::Enqueued::kQueueFull: ++stats.dropped_queue_full; break;
    case PeerSender::Enqueued::kBackedOff: ++stats.dropped_stream_error; break;
  }
}

void ServiceCore::answer_unreachable(util::ByteView packet, util::SteadyTime now) {
  if (!config.icmp_unreachable) return;
  UnreachableOptions options;
  for (const auto& network : config.addresses) {
    if (network.address.is_v4()) {
      options.local_network = network;
      break;
    }
  }
  auto reply = make_destination_unreachable(packet, options);
  if (!reply || !icmp_limiter.allow(now)) return;
  if (port.write(*reply) == PacketPort::WriteOutcome::kDropped) {
    ++stats.dropped_tun_write;
    return;
  }
  ++stats.icmp_unreachable_sent;
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
  if (!accepts_destination(header->destination)) {
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
  due_senders.clear();
  for (auto& stream : inbound) stream.reset();
  tasks.cancel();
}

}  // namespace edgevpn::vpn
