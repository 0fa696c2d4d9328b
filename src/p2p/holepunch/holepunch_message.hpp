// The DCUtR HolePunch message (/libp2p/dcutr) as a plain struct, with its protobuf encoding and
// uvarint length-prefixed framing. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::holepunch {

inline constexpr std::string_view kProtocolId = "/libp2p/dcutr";
// DCUtR.md: implementations SHOULD refuse messages over 4 KiB (length prefix excluded).
inline constexpr size_t kMaxMessageSize = 4096;

enum class MessageType : uint32_t { kConnect = 100, kSync = 300 };

struct HolePunchMessage {
  MessageType type = MessageType::kConnect;
  std::vector<Multiaddr> observed_addrs;  // addresses that do not parse are dropped, as go does

  bool operator==(const HolePunchMessage&) const = default;
};

util::Bytes encode(const HolePunchMessage& message);
// The protobuf preceded by its uvarint length, as written on the stream.
util::Bytes encode_framed(const HolePunchMessage& message);

// kTooLarge over kMaxMessageSize; kMalformed when it does not parse or has no (or an unknown)
// type.
util::Result<HolePunchMessage> decode(util::ByteView protobuf);

struct Frame {
  HolePunchMessage message;
  size_t consumed = 0;  // prefix + body
};
// One length-prefixed message from the start of `buffer`: kTruncated when more bytes are needed,
// kTooLarge as soon as the prefix announces more than kMaxMessageSize, else decode()'s errors.
util::Result<Frame> read_frame(util::ByteView buffer);

}  // namespace edgevpn::p2p::holepunch
