// Splits `/edgevpn/0.1` streams into IP packets by their length fields.
#include "vpn/packet/packet_splitter.hpp"

#include <string>

#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn {
namespace {

util::Result<FrameReassembler::Frame> ip_frame(util::ByteView prefix, size_t max_packet) {
  EDGEVPN_TRY_ASSIGN(length, ip_packet_length(prefix));
  if (length > max_packet) {
    return util::make_error(util::Errc::kTooLarge, "IP packet of " + std::to_string(length) +
                                                       " bytes over the limit " +
                                                       std::to_string(max_packet));
  }
  return FrameReassembler::Frame{0, length};
}

}  // namespace

PacketSplitter::PacketSplitter(size_t max_packet_size) : reassembler_(&ip_frame, max_packet_size) {}

util::Status PacketSplitter::finish() const {
  if (reassembler_.buffered() == 0) return {};
  return util::make_error(
      util::Errc::kTruncated,
      std::to_string(reassembler_.buffered()) + " bytes of a partial packet at end of stream");
}

}  // namespace edgevpn::vpn
