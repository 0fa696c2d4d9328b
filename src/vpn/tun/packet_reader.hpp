// The data plane's one read loop: packets from a packet-per-read fd (a TUN device, or a
// SOCK_SEQPACKET socket in tests) into a batch, as many as are ready, one read(2) each.
#pragma once

#include <cstddef>

#include "util/result.hpp"
#include "vpn/packet/packet_batch.hpp"

namespace edgevpn::vpn {

struct PacketsRead {
  size_t count = 0;      // packets added to the batch
  bool drained = false;  // stopped on EAGAIN: only then may the caller wait for readiness
};

// Reads from the non-blocking `fd` until `batch` is full or nothing more is ready. Packets longer
// than batch.packet_size() are cut by the kernel. Errors (when nothing was read; otherwise the
// next call reports them): kClosed at the end of the fd (a socket whose other end is gone), kIo.
util::Result<PacketsRead> read_packets(int fd, PacketBatch& batch);

}  // namespace edgevpn::vpn
