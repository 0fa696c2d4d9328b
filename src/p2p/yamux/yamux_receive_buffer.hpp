// The bytes a yamux stream has received but the application has not consumed yet: one
// contiguous buffer with a read offset, compacted before it would grow.
#pragma once

#include <algorithm>
#include <cstring>

#include "util/bytes.hpp"

namespace edgevpn::p2p::yamux {

class ReceiveBuffer {
 public:
  size_t size() const { return data_.size() - head_; }
  bool empty() const { return head_ == data_.size(); }

  // Contiguous unread bytes.
  util::ByteView view() const { return {data_.data() + head_, size()}; }

  void append(util::ByteView in) {
    if (in.empty()) return;
    if (head_ == data_.size()) {
      data_.clear();
      head_ = 0;
    } else if (head_ > 0 && data_.size() + in.size() > data_.capacity()) {
      // Move unread bytes to the front instead of letting the vector grow.
      data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    data_.insert(data_.end(), in.begin(), in.end());
  }

  // Copies up to out.size() bytes out and consumes them.
  size_t read(std::span<uint8_t> out) {
    const size_t n = std::min(out.size(), size());
    if (n > 0) std::memcpy(out.data(), data_.data() + head_, n);
    consume(n);
    return n;
  }

  void consume(size_t n) {
    head_ += std::min(n, size());
    if (head_ == data_.size()) {
      data_.clear();
      head_ = 0;
    }
  }

  // Drops the data and gives the memory back.
  void release() {
    util::Bytes().swap(data_);
    head_ = 0;
  }

 private:
  util::Bytes data_;
  size_t head_ = 0;
};

}  // namespace edgevpn::p2p::yamux
