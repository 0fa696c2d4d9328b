// The identify message (/ipfs/id/1.0.0 and /ipfs/id/push/1.0.0): a plain struct plus its wire
// encoding (protobuf, each message prefixed by its unsigned-varint length). No I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::identify {

inline constexpr std::string_view kProtocolId = "/ipfs/id/1.0.0";
inline constexpr std::string_view kPushProtocolId = "/ipfs/id/push/1.0.0";
inline constexpr std::string_view kProtocolVersion = "ipfs/0.1.0";
// Per-message limit (go-libp2p and js-libp2p both use 8 KiB for signed identify messages).
inline constexpr size_t kMaxMessageSize = 8192;
// go-libp2p may split a large identify into several messages; it reads at most this many.
inline constexpr size_t kMaxMessages = 10;

struct IdentifyInfo {
  std::optional<std::string> protocol_version;
  std::optional<std::string> agent_version;
  std::optional<util::Bytes> public_key;  // libp2p PublicKey protobuf
  std::vector<util::Bytes> listen_addrs;  // binary multiaddrs
  std::optional<util::Bytes> observed_addr;
  std::vector<std::string> protocols;
  std::optional<util::Bytes> signed_peer_record;  // kept opaque

  bool operator==(const IdentifyInfo&) const = default;
};

// The bare protobuf.
util::Bytes encode(const IdentifyInfo& info);
// One message with its varint length prefix, as written on the stream.
util::Bytes encode_framed(const IdentifyInfo& info);

// Decodes a bare protobuf; kTooLarge over kMaxMessageSize, kMalformed when it does not parse.
util::Result<IdentifyInfo> decode(util::ByteView protobuf);

// Decodes everything a peer wrote on an identify stream before closing it: one or more
// length-prefixed messages, merged in order (repeated fields append, later scalars win).
// kTruncated when the last message is incomplete, kTooLarge over the limits above.
util::Result<IdentifyInfo> decode_stream(util::ByteView stream_bytes);

// Upper bound on the bytes decode_stream accepts; the I/O layer stops reading past it.
inline constexpr size_t kMaxStreamBytes = kMaxMessages * (kMaxMessageSize + 2);

}  // namespace edgevpn::p2p::identify
