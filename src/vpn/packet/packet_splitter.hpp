// Splits the byte stream of an EdgeVPN `/edgevpn/0.1` stream into whole IP packets using the
// IP length fields (spec 10.1), whatever the read sizes; rejects garbage.
#pragma once

#include <cstddef>

#include "util/bytes.hpp"
#include "util/result.hpp"
#include "vpn/packet/frame_reassembler.hpp"
#include "vpn/packet/packet_sink.hpp"

namespace edgevpn::vpn {

class PacketSplitter {
 public:
  // Go EdgeVPN reads at most --packet-mtu bytes per TUN read; 65535 accepts any IPv4 packet.
  explicit PacketSplitter(size_t max_packet_size = 65535);

  // Hands every completed packet to `sink`. Errors (kMalformed: version not 4/6 or length below
  // the header; kTooLarge: over max_packet_size) are final: reset the stream.
  util::Status feed(util::ByteView chunk, const PacketSink& sink) {
    return reassembler_.feed(chunk, sink);
  }
  // At end of stream: ok when no partial packet is left (a Go sender truncates packets longer
  // than its --packet-mtu; those end up here as kTruncated).
  util::Status finish() const;
  size_t buffered() const { return reassembler_.buffered(); }

 private:
  FrameReassembler reassembler_;
};

}  // namespace edgevpn::vpn
