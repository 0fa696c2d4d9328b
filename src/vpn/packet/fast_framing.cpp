// Fast-path framing: 2-byte big-endian length + IP packet, many per write.
#include "vpn/packet/fast_framing.hpp"

#include <string>

#include "vpn/packet/ip_packet.hpp"

namespace edgevpn::vpn {
namespace {

util::Result<FrameReassembler::Frame> fast_frame(util::ByteView prefix, size_t max_packet) {
  if (prefix.size() < kFastFrameHeader)
    return util::make_error(util::Errc::kTruncated, "short frame header");
  const size_t length = util::get_u16_be(prefix.data());
  if (length == 0) return util::make_error(util::Errc::kMalformed, "zero-length fast frame");
  if (length > max_packet) {
    return util::make_error(util::Errc::kTooLarge, "fast frame of " + std::to_string(length) +
                                                       " bytes over the limit " +
                                                       std::to_string(max_packet));
  }
  return FrameReassembler::Frame{kFastFrameHeader, length};
}

}  // namespace

util::Status FastFrameEncoder::append(util::ByteView packet) {
  if (packet.empty()) return util::make_error(util::Errc::kInvalidArgument, "empty packet");
  if (packet.size() > kMaxFastFramePacket) {
    return util::make_error(util::Errc::kTooLarge,
                            "packet of " + std::to_string(packet.size()) + " bytes over 65535");
  }
  util::put_u16_be(buffer_, static_cast<uint16_t>(packet.size()));
  util::append(buffer_, packet);
  ++packet_count_;
  return {};
}

util::Status FastFrameEncoder::append_all(std::span<const util::ByteView> packets) {
  for (const auto& packet : packets) EDGEVPN_TRY(append(packet));
  return {};
}

FastFrameDecoder::FastFrameDecoder(size_t max_packet_size, bool validate_ip)
    : reassembler_(&fast_frame, max_packet_size), validate_ip_(validate_ip) {}

util::Status FastFrameDecoder::feed(util::ByteView chunk, const PacketSink& sink) {
  if (!validate_ip_) return reassembler_.feed(chunk, sink);
  if (!failure_.ok()) return failure_;
  util::Status& invalid = failure_;
  auto status = reassembler_.feed(chunk, [&](util::ByteView packet) {
    if (!invalid.ok()) return;
    auto length = ip_packet_length(packet);
    if (!length.ok() || *length != packet.size()) {
      invalid = util::make_error(util::Errc::kMalformed, "fast frame does not hold one IP packet");
      return;
    }
    sink(packet);
  });
  if (!invalid.ok()) return invalid;
  return status;
}

}  // namespace edgevpn::vpn
