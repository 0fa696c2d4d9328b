// The TUN side of the data plane as a packet-per-read/write fd: a TUN device (IFF_TUN|IFF_NO_PI)
// in production, a SOCK_SEQPACKET socket in tests. Batch reads on readiness; writes go straight
// to the fd, into a bounded backlog (kept in order) when the fd is full. Reads go through
// read_packets() (vpn/tun/packet_reader.hpp), the one read loop.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <cstddef>

#include "util/bytes.hpp"
#include "util/result.hpp"
#include "vpn/packet/packet_batch.hpp"
#include "vpn/service/wake_signal.hpp"

namespace edgevpn::vpn {

class PacketPort {
 public:
  // `fd` is not owned: it must stay open until close(). It is switched to non-blocking mode.
  PacketPort(const asio::any_io_executor& executor, int fd, size_t backlog_limit);
  ~PacketPort();
  PacketPort(const PacketPort&) = delete;
  PacketPort& operator=(const PacketPort&) = delete;

  util::Status open();
  int fd() const { return fd_; }

  // Waits for readability. Edge-triggered underneath: call it only after read_batch() came back
  // short (the fd was drained), else yield and read again.
  asio::awaitable<util::Status> wait_readable();
  // Reads until `batch` is full or nothing is ready; returns the packets added. kClosed at the
  // end of the fd (a socket whose other end is gone), kIo on read errors.
  util::Result<size_t> read_batch(PacketBatch& batch);
  // True when the last read_batch() stopped because nothing more was ready (EAGAIN): only then
  // may the caller wait_readable().
  bool drained() const { return drained_; }

  enum class WriteOutcome { kWritten, kQueued, kDropped };
  WriteOutcome write(util::ByteView packet);
  size_t backlog_bytes() const { return backlog_.size() - backlog_offset_; }
  // Above half the backlog limit: stream readers should wait_for_room() before reading on.
  bool congested() const { return backlog_bytes() * 2 > backlog_limit_; }
  asio::awaitable<void> wait_for_room();
  // Drains the backlog as the fd becomes writable, until close().
  asio::awaitable<void> run_writer();

  // Cancels waits and forgets the fd (without closing it). Idempotent.
  void close();
  bool closed() const { return closed_; }

 private:
  enum class Flush { kDone, kBlocked };
  Flush flush_backlog();
  // One write(2)/send(2); returns errno (0 on success).
  int write_once(util::ByteView packet) const;

  int fd_;
  bool is_socket_ = false;
  size_t backlog_limit_;
  asio::posix::stream_descriptor descriptor_;
  util::Bytes backlog_;  // 4-byte big-endian length + packet, repeated
  size_t backlog_offset_ = 0;
  WakeSignal backlog_ready_;
  WakeSignal room_;
  bool closed_ = false;
  bool drained_ = false;
};

}  // namespace edgevpn::vpn
