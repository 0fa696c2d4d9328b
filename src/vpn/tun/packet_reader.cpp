// read_packets: read(2) until EAGAIN or a full batch; EINTR retried, errors after a first packet
// left for the next call.
#include "vpn/tun/packet_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace edgevpn::vpn {

util::Result<PacketsRead> read_packets(int fd, PacketBatch& batch) {
  PacketsRead read;
  while (!batch.full()) {
    const auto slot = batch.next_slot();
    const ssize_t n = ::read(fd, slot.data(), slot.size());
    if (n > 0) {
      batch.push(static_cast<size_t>(n));
      ++read.count;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      read.drained = true;
      break;
    }
    if (read.count > 0) break;  // report the error on the next call, keep what we have
    if (n == 0) return util::make_error(util::Errc::kClosed, "packet fd reached its end");
    return util::make_error(util::Errc::kIo,
                            std::string("reading packets: ") + std::strerror(errno));
  }
  return read;
}

}  // namespace edgevpn::vpn
