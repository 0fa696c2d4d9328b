// Data-plane counters: packets/bytes in and out and drops by reason. Plain integers, one set per
// worker; merge them for reporting.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edgevpn::vpn {

enum class DropReason : uint8_t {
  kNoRoute,        // destination not in the routing table
  kMalformed,      // not a parsable IP packet
  kTooLarge,       // over the configured packet size
  kNotAllowed,     // from a peer outside the machines bucket / static table
  kStreamError,    // opening or writing the peer stream failed
  kTunWriteError,  // the kernel refused the packet
  kQueueFull,      // back-pressure
  kCount,
};

std::string_view drop_reason_name(DropReason reason);

struct PacketCounters {
  uint64_t packets_in = 0;  // from peers, written to the TUN
  uint64_t bytes_in = 0;
  uint64_t packets_out = 0;  // read from the TUN, sent to peers
  uint64_t bytes_out = 0;
  uint64_t icmp_errors_sent = 0;
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> drops{};

  void count_in(size_t bytes) {
    ++packets_in;
    bytes_in += bytes;
  }
  void count_out(size_t bytes) {
    ++packets_out;
    bytes_out += bytes;
  }
  void count_drop(DropReason reason) { ++drops[static_cast<size_t>(reason)]; }
  uint64_t dropped(DropReason reason) const { return drops[static_cast<size_t>(reason)]; }
  uint64_t total_drops() const;
  PacketCounters& operator+=(const PacketCounters& other);
};

}  // namespace edgevpn::vpn
