// Our own framing for a long-lived stream between two C++ nodes: batches of IP packets, each
// prefixed by a 2-byte big-endian length. Not spoken by Go EdgeVPN (it uses /edgevpn/0.1).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"
#include "vpn/packet/frame_reassembler.hpp"
#include "vpn/packet/packet_sink.hpp"

namespace edgevpn::vpn {

inline constexpr std::string_view kFastPathProtocolId = "/edgevpn/fastpath/1.0.0";
inline constexpr size_t kFastFrameHeader = 2;
inline constexpr size_t kMaxFastFramePacket = 65535;

// Appends packets to one buffer, to be written with a single stream write.
class FastFrameEncoder {
 public:
  explicit FastFrameEncoder(size_t reserve = 64 * 1024) { buffer_.reserve(reserve); }

  // kInvalidArgument for an empty packet, kTooLarge above 65535 bytes.
  util::Status append(util::ByteView packet);
  util::Status append_all(std::span<const util::ByteView> packets);

  util::ByteView buffer() const { return buffer_; }
  size_t packet_count() const { return packet_count_; }
  bool empty() const { return packet_count_ == 0; }
  // Keeps the capacity for the next batch.
  void clear() {
    buffer_.clear();
    packet_count_ = 0;
  }

 private:
  util::Bytes buffer_;
  size_t packet_count_ = 0;
};

// Yields packets from arbitrary chunks of a fast-path stream.
class FastFrameDecoder {
 public:
  // With `validate_ip`, each frame must hold one IP packet whose own length equals the frame's.
  explicit FastFrameDecoder(size_t max_packet_size = kMaxFastFramePacket, bool validate_ip = true);

  // Errors are final (kMalformed: zero length or not an IP packet; kTooLarge).
  util::Status feed(util::ByteView chunk, const PacketSink& sink);
  size_t buffered() const { return reassembler_.buffered(); }

 private:
  FrameReassembler reassembler_;
  bool validate_ip_;
  util::Status failure_;  // a frame that was not an IP packet poisons the stream
};

}  // namespace edgevpn::vpn
