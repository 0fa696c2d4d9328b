// The state shared by the data plane's coroutines (TUN reader, peer senders, stream receivers):
// routes, the packet router, the packet port, per-peer senders and counters. Coroutines hold it by
// shared_ptr, so it outlives the VpnService facade until they have all seen `stopped` (stop()
// also cancels them). Internal to the service.
#pragma once

#include <asio/any_io_executor.hpp>
#include <cstddef>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/host/host.hpp"
#include "p2p/host/stream.hpp"
#include "util/clock.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"
#include "vpn/packet/ip_address.hpp"
#include "vpn/packet/packet_batch.hpp"
#include "vpn/packet/packet_router.hpp"
#include "vpn/packet/route_index.hpp"
#include "vpn/service/packet_port.hpp"
#include "vpn/service/peer_sender.hpp"
#include "vpn/service/vpn_config.hpp"

namespace edgevpn::vpn {

struct ServiceCore {
  ServiceCore(const asio::any_io_executor& executor, p2p::host::Host& host, int tun_fd,
              VpnConfig config);

  // --- send path (TUN -> peers) ---
  // Has the router decide a batch, then does the I/O: queues each peer's packets to its sender
  // and wakes it, writes the ICMP errors to the TUN, counts the drops.
  void route_batch(const PacketBatch& batch, util::SteadyTime now);
  PeerSender& sender_for(const crypto::PeerId& peer);
  // After a route change: ends senders and inbound streams of peers no longer allowed.
  void enforce_access();

  // --- receive path (peers -> TUN) ---
  // Checks the destination and writes the packet to the TUN.
  void deliver(util::ByteView packet);

  // After config.addresses or config.router changed.
  void apply_addresses();
  void stop();

  asio::any_io_executor executor;
  p2p::host::Host& host;
  crypto::PeerId self;
  VpnConfig config;
  PacketPort port;
  RouteIndex routes;
  PacketRouter router;
  RoutedBatch routed;  // the router's output, reused batch after batch
  VpnStats stats;
  std::shared_ptr<spdlog::logger> log;
  std::weak_ptr<ServiceCore> weak_self;
  // The TUN reader and writer, the peer senders and their stream work; cancelled by stop().
  task::TaskGroup tasks;

  std::unordered_map<crypto::PeerId, std::shared_ptr<PeerSender>> senders;
  std::list<p2p::host::Stream> inbound;  // open inbound streams, reset on stop
  bool stopped = false;
};

}  // namespace edgevpn::vpn
