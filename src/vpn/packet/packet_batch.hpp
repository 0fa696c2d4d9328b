// A pooled batch of packet buffers in one slab, with headroom in front of each packet for framing;
// the TUN reads a whole batch per wake-up into it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "util/bytes.hpp"

namespace edgevpn::vpn {

class PacketBatch {
 public:
  PacketBatch(size_t capacity, size_t packet_size, size_t headroom = 0)
      : packet_size_(packet_size),
        headroom_(headroom),
        stride_(headroom + packet_size),
        slab_(capacity * stride_),
        lengths_(capacity, 0) {}

  size_t capacity() const { return lengths_.size(); }
  size_t size() const { return count_; }
  size_t packet_size() const { return packet_size_; }
  size_t headroom() const { return headroom_; }
  bool full() const { return count_ == capacity(); }
  void clear() { count_ = 0; }

  // Where the next packet goes (packet_size bytes); commit it with push(length).
  std::span<uint8_t> next_slot() {
    return {slab_.data() + count_ * stride_ + headroom_, packet_size_};
  }
  void push(size_t length) { lengths_[count_++] = length; }

  util::ByteView packet(size_t index) const {
    return {slab_.data() + index * stride_ + headroom_, lengths_[index]};
  }
  // The headroom bytes just before packet `index` (for prefixing a frame header in place).
  std::span<uint8_t> headroom_of(size_t index) {
    return {slab_.data() + index * stride_, headroom_};
  }

 private:
  size_t packet_size_;
  size_t headroom_;
  size_t stride_;
  std::vector<uint8_t> slab_;
  std::vector<size_t> lengths_;
  size_t count_ = 0;
};

}  // namespace edgevpn::vpn
