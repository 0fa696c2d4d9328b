// PacketPort: non-blocking packet fd with asio readiness waits and an ordered write backlog.
#include "vpn/service/packet_port.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <string>

#include "vpn/tun/packet_reader.hpp"

namespace edgevpn::vpn {
namespace {

constexpr size_t kBacklogHeader = 4;

}  // namespace

PacketPort::PacketPort(const asio::any_io_executor& executor, int fd, size_t backlog_limit)
    : fd_(fd),
      backlog_limit_(backlog_limit),
      descriptor_(executor),
      backlog_ready_(executor),
      room_(executor) {}

PacketPort::~PacketPort() {
  close();
}

util::Status PacketPort::open() {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) < 0) {
    return util::make_error(util::Errc::kIo,
                            "packet fd " + std::to_string(fd_) + ": " + std::strerror(errno));
  }
  struct stat info {};
  is_socket_ = ::fstat(fd_, &info) == 0 && S_ISSOCK(info.st_mode);
  asio::error_code ec;
  descriptor_.assign(fd_, ec);
  if (ec) return util::make_error(util::Errc::kIo, "packet fd: " + ec.message());
  return {};
}

asio::awaitable<util::Status> PacketPort::wait_readable() {
  if (closed_) co_return util::make_error(util::Errc::kClosed, "packet port closed");
  asio::error_code ec;
  co_await descriptor_.async_wait(asio::posix::descriptor_base::wait_read,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (closed_) co_return util::make_error(util::Errc::kClosed, "packet port closed");
  if (ec) co_return util::make_error(util::Errc::kIo, "waiting for packets: " + ec.message());
  co_return util::Status{};
}

util::Result<size_t> PacketPort::read_batch(PacketBatch& batch) {
  drained_ = false;
  if (closed_) return util::make_error(util::Errc::kClosed, "packet port closed");
  EDGEVPN_TRY_ASSIGN(read, read_packets(fd_, batch));
  drained_ = read.drained;
  return read.count;
}

int PacketPort::write_once(util::ByteView packet) const {
  for (;;) {
    // send() on sockets, to get MSG_NOSIGNAL; TUN devices only take write().
    const ssize_t n = is_socket_ ? ::send(fd_, packet.data(), packet.size(), MSG_NOSIGNAL)
                                 : ::write(fd_, packet.data(), packet.size());
    if (n >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

PacketPort::WriteOutcome PacketPort::write(util::ByteView packet) {
  if (closed_) return WriteOutcome::kDropped;
  if (backlog_bytes() == 0) {
    const int error = write_once(packet);
    if (error == 0) return WriteOutcome::kWritten;
    if (error != EAGAIN && error != EWOULDBLOCK && error != ENOBUFS) return WriteOutcome::kDropped;
  }
  if (backlog_bytes() + kBacklogHeader + packet.size() > backlog_limit_) {
    return WriteOutcome::kDropped;
  }
  const bool was_empty = backlog_bytes() == 0;
  util::put_u32_be(backlog_, static_cast<uint32_t>(packet.size()));
  util::append(backlog_, packet);
  if (was_empty) backlog_ready_.notify();
  return WriteOutcome::kQueued;
}

PacketPort::Flush PacketPort::flush_backlog() {
  while (backlog_offset_ < backlog_.size()) {
    const size_t length = util::get_u32_be(backlog_.data() + backlog_offset_);
    const util::ByteView packet(backlog_.data() + backlog_offset_ + kBacklogHeader, length);
    const int error = write_once(packet);
    if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS) return Flush::kBlocked;
    // Written, or refused for good (counted by the caller when it was queued): move on.
    backlog_offset_ += kBacklogHeader + length;
  }
  backlog_.clear();  // keeps the capacity
  backlog_offset_ = 0;
  return Flush::kDone;
}

asio::awaitable<void> PacketPort::run_writer() {
  while (!closed_) {
    if (backlog_bytes() == 0) {
      co_await backlog_ready_.wait();
      continue;
    }
    // Edge-triggered readiness: wait only right after the fd said EAGAIN.
    const Flush flushed = flush_backlog();
    if (!congested()) room_.notify();
    if (flushed == Flush::kDone) continue;
    asio::error_code ec;
    co_await descriptor_.async_wait(asio::posix::descriptor_base::wait_write,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) break;
    if (ec) {
      // The fd is unusable: give up on what waits, let readers go on (and drop).
      backlog_.clear();
      backlog_offset_ = 0;
      room_.notify();
    }
  }
  room_.notify();
}

asio::awaitable<void> PacketPort::wait_for_room() {
  while (!closed_ && congested()) co_await room_.wait();
}

void PacketPort::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  if (descriptor_.is_open()) {
    descriptor_.cancel(ignored);
    (void)descriptor_.release();
  }
  backlog_ready_.notify();
  room_.notify();
}

}  // namespace edgevpn::vpn
