// Yamux frame header codec.
#include "p2p/yamux/yamux_frame.hpp"

#include <string>

namespace edgevpn::p2p::yamux {

void encode_header(const FrameHeader& header, uint8_t* out) {
  out[0] = kVersion;
  out[1] = static_cast<uint8_t>(header.type);
  out[2] = static_cast<uint8_t>(header.flags >> 8);
  out[3] = static_cast<uint8_t>(header.flags);
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<uint8_t>(header.stream_id >> (24 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(header.length >> (24 - 8 * i));
  }
}

void append_header(util::Bytes& out, const FrameHeader& header) {
  uint8_t bytes[kHeaderSize];
  encode_header(header, bytes);
  out.insert(out.end(), bytes, bytes + kHeaderSize);
}

util::Result<FrameHeader> decode_header(util::ByteView in) {
  if (in.size() < kHeaderSize) {
    return util::make_error(util::Errc::kTruncated, "yamux header needs 12 bytes");
  }
  if (in[0] != kVersion) {
    return util::make_error(util::Errc::kUnsupported,
                            "yamux version " + std::to_string(in[0]) + " is not 0");
  }
  if (in[1] > static_cast<uint8_t>(FrameType::kGoAway)) {
    return util::make_error(util::Errc::kMalformed,
                            "unknown yamux frame type " + std::to_string(in[1]));
  }
  FrameHeader header;
  header.type = static_cast<FrameType>(in[1]);
  header.flags = util::get_u16_be(in.data() + 2);
  header.stream_id = util::get_u32_be(in.data() + 4);
  header.length = util::get_u32_be(in.data() + 8);
  return header;
}

const char* frame_type_name(FrameType type) {
  switch (type) {
    case FrameType::kData: return "data";
    case FrameType::kWindowUpdate: return "window-update";
    case FrameType::kPing: return "ping";
    case FrameType::kGoAway: return "go-away";
  }
  return "unknown";
}

}  // namespace edgevpn::p2p::yamux
