// Cuts length-delimited frames out of arbitrary chunks; copies only frames split across chunks.
#include "vpn/packet/frame_reassembler.hpp"

#include <algorithm>

namespace edgevpn::vpn {

util::Status FrameReassembler::fail(util::Error error) {
  failed_ = true;
  error_ = error;
  pending_.clear();
  pending_.shrink_to_fit();
  return error;
}

util::Status FrameReassembler::feed(util::ByteView chunk, const PacketSink& sink) {
  if (failed_) return error_;
  // Finish a frame begun in an earlier chunk, taking only the bytes it needs; a header that
  // becomes complete is checked at once, even when the chunk is used up.
  while (!pending_.empty()) {
    auto frame = frame_fn_(pending_, max_packet_);
    if (!frame.ok() && frame.error().code != util::Errc::kTruncated) return fail(frame.error());
    if (frame.ok() && pending_.size() >= frame->skip + frame->length) {
      sink(util::ByteView(pending_).subspan(frame->skip, frame->length));
      pending_.clear();
      break;
    }
    if (chunk.empty()) break;
    // Header incomplete: take one byte at a time (a few bytes at most).
    const size_t wanted = frame.ok() ? frame->skip + frame->length - pending_.size() : 1;
    const size_t take = std::min(wanted, chunk.size());
    pending_.insert(pending_.end(), chunk.begin(), chunk.begin() + take);
    chunk = chunk.subspan(take);
  }
  // Whole frames straight from the chunk.
  while (!chunk.empty()) {
    auto frame = frame_fn_(chunk, max_packet_);
    if (!frame.ok()) {
      if (frame.error().code != util::Errc::kTruncated) return fail(frame.error());
      break;
    }
    const size_t size = frame->skip + frame->length;
    if (size > chunk.size()) break;
    sink(chunk.subspan(frame->skip, frame->length));
    chunk = chunk.subspan(size);
  }
  if (!chunk.empty()) {
    pending_.assign(chunk.begin(), chunk.end());
  }
  return {};
}

}  // namespace edgevpn::vpn
