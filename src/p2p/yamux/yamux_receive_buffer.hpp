// The bytes a yamux stream has received but the application has not consumed yet: a queue of
// chunks whose memory never moves once written, so a reader can take a whole chunk away (and
// write it to a socket) without copying it.
#pragma once

#include <deque>
#include <span>

#include "util/bytes.hpp"

namespace edgevpn::p2p::yamux {

class ReceiveBuffer {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The unread bytes of the first chunk (all of them when only one chunk is queued).
  util::ByteView view() const;

  // Fills the last chunk's spare capacity, then starts a new chunk (small while the buffer is
  // drained promptly, kChunkSize while a backlog builds up).
  void append(util::ByteView in);

  // Copies up to out.size() bytes out and consumes them.
  size_t read(std::span<uint8_t> out);
  void consume(size_t n);

  // Moves the first chunk's unread bytes out (without a copy unless the chunk was partly read).
  util::Bytes take_front();

  // Drops the data and gives the memory back.
  void release();

  static constexpr size_t kChunkSize = 64 * 1024;
  static constexpr size_t kFirstChunkSize = 4 * 1024;

 private:
  void pop_front();

  std::deque<util::Bytes> chunks_;
  size_t head_ = 0;  // read offset into chunks_.front()
  size_t size_ = 0;
};

}  // namespace edgevpn::p2p::yamux
