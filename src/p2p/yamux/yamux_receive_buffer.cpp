// ReceiveBuffer: chunk queue bookkeeping.
#include "p2p/yamux/yamux_receive_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace edgevpn::p2p::yamux {

util::ByteView ReceiveBuffer::view() const {
  if (chunks_.empty()) return {};
  const util::Bytes& front = chunks_.front();
  return {front.data() + head_, front.size() - head_};
}

void ReceiveBuffer::append(util::ByteView in) {
  if (in.empty()) return;
  if (!chunks_.empty()) {
    util::Bytes& back = chunks_.back();
    const size_t room = std::min(back.capacity() - back.size(), in.size());
    back.insert(back.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(room));
    size_ += room;
    in = in.subspan(room);
    if (in.empty()) return;
  }
  util::Bytes chunk;
  chunk.reserve(std::max(in.size(), size_ == 0 ? kFirstChunkSize : kChunkSize));
  chunk.assign(in.begin(), in.end());
  size_ += in.size();
  chunks_.push_back(std::move(chunk));
}

size_t ReceiveBuffer::read(std::span<uint8_t> out) {
  size_t copied = 0;
  while (copied < out.size() && size_ > 0) {
    const util::ByteView front = view();
    const size_t n = std::min(out.size() - copied, front.size());
    std::memcpy(out.data() + copied, front.data(), n);
    copied += n;
    consume(n);
  }
  return copied;
}

void ReceiveBuffer::consume(size_t n) {
  n = std::min(n, size_);
  while (n > 0) {
    const size_t in_front = chunks_.front().size() - head_;
    const size_t step = std::min(n, in_front);
    head_ += step;
    size_ -= step;
    n -= step;
    if (head_ == chunks_.front().size()) pop_front();
  }
}

util::Bytes ReceiveBuffer::take_front() {
  if (size_ == 0) return {};
  util::Bytes out;
  if (head_ == 0) {
    out = std::move(chunks_.front());
  } else {
    const util::ByteView rest = view();
    out.assign(rest.begin(), rest.end());
  }
  size_ -= out.size();
  chunks_.pop_front();
  head_ = 0;
  return out;
}

void ReceiveBuffer::pop_front() {
  head_ = 0;
  if (chunks_.size() == 1) {
    chunks_.front().clear();  // the last chunk keeps its memory for the next append
    return;
  }
  chunks_.pop_front();
}

void ReceiveBuffer::release() {
  std::deque<util::Bytes>().swap(chunks_);
  head_ = 0;
  size_ = 0;
}

}  // namespace edgevpn::p2p::yamux
