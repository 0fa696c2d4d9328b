// Shared core of the stream decoders: cuts length-delimited frames out of arbitrary chunks,
// without copying frames that arrive whole inside one chunk.
#pragma once

#include <cstddef>

#include "util/bytes.hpp"
#include "util/result.hpp"
#include "vpn/packet/packet_sink.hpp"

namespace edgevpn::vpn {

class FrameReassembler {
 public:
  struct Frame {
    size_t skip = 0;    // bytes of framing before the packet
    size_t length = 0;  // packet bytes after `skip`
  };
  // Frame of the bytes at the front of `prefix`; kTruncated asks for more bytes.
  using FrameFn = util::Result<Frame> (*)(util::ByteView prefix, size_t max_packet);

  FrameReassembler(FrameFn frame_fn, size_t max_packet)
      : frame_fn_(frame_fn), max_packet_(max_packet) {}

  // After an error the stream is unusable: every later call fails with the same error.
  util::Status feed(util::ByteView chunk, const PacketSink& sink);
  size_t buffered() const { return pending_.size(); }
  bool failed() const { return failed_; }

 private:
  util::Status fail(util::Error error);

  FrameFn frame_fn_;
  size_t max_packet_;
  util::Bytes pending_;
  bool failed_ = false;
  util::Error error_;
};

}  // namespace edgevpn::vpn
