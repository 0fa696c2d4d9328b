// Yamux frame header (hashicorp/yamux spec.md, libp2p /yamux/1.0.0): the 12-byte big-endian
// header shared by every frame, and its encoder/decoder.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::yamux {

inline constexpr const char* kProtocolId = "/yamux/1.0.0";
inline constexpr size_t kHeaderSize = 12;
inline constexpr uint8_t kVersion = 0;
// Every stream starts with this receive window on both sides; larger windows are announced
// with a window update (spec: "initial window size of 256KB").
inline constexpr uint32_t kInitialWindow = 256 * 1024;

enum class FrameType : uint8_t {
  kData = 0,
  kWindowUpdate = 1,
  kPing = 2,
  kGoAway = 3,
};

inline constexpr uint16_t kFlagSyn = 0x1;
inline constexpr uint16_t kFlagAck = 0x2;
inline constexpr uint16_t kFlagFin = 0x4;
inline constexpr uint16_t kFlagRst = 0x8;

enum class GoAwayCode : uint32_t {
  kNormal = 0,
  kProtocolError = 1,
  kInternalError = 2,
};

struct FrameHeader {
  FrameType type = FrameType::kData;
  uint16_t flags = 0;
  uint32_t stream_id = 0;
  // Data: payload length; WindowUpdate: window delta; Ping: opaque value; GoAway: error code.
  uint32_t length = 0;

  bool has(uint16_t flag) const { return (flags & flag) != 0; }
  bool operator==(const FrameHeader&) const = default;
};

// Writes the 12 header bytes to `out`.
void encode_header(const FrameHeader& header, uint8_t* out);
// Appends the 12 header bytes to `out`.
void append_header(util::Bytes& out, const FrameHeader& header);
// Parses the first 12 bytes of `in`: kTruncated when shorter, kUnsupported for a version other
// than 0, kMalformed for an unknown frame type. Unknown flag bits are ignored.
util::Result<FrameHeader> decode_header(util::ByteView in);

const char* frame_type_name(FrameType type);

}  // namespace edgevpn::p2p::yamux
