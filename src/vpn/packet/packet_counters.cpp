// Data-plane counters: names of drop reasons and merging.
#include "vpn/packet/packet_counters.hpp"

namespace edgevpn::vpn {

std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kNoRoute: return "no_route";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kTooLarge: return "too_large";
    case DropReason::kNotAllowed: return "not_allowed";
    case DropReason::kStreamError: return "stream_error";
    case DropReason::kTunWriteError: return "tun_write_error";
    case DropReason::kQueueFull: return "queue_full";
    case DropReason::kCount: break;
  }
  return "unknown";
}

uint64_t PacketCounters::total_drops() const {
  uint64_t total = 0;
  for (uint64_t count : drops) total += count;
  return total;
}

PacketCounters& PacketCounters::operator+=(const PacketCounters& other) {
  packets_in += other.packets_in;
  bytes_in += other.bytes_in;
  packets_out += other.packets_out;
  bytes_out += other.bytes_out;
  icmp_errors_sent += other.icmp_errors_sent;
  for (size_t i = 0; i < drops.size(); ++i) drops[i] += other.drops[i];
  return *this;
}

}  // namespace edgevpn::vpn
