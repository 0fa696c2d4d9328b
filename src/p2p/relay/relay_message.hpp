// Circuit relay v2 messages (/libp2p/circuit/relay/0.2.0/hop and /stop) as plain structs, with
// their protobuf encoding and the uvarint length-prefixed framing both protocols use. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::relay {

inline constexpr std::string_view kHopProtocolId = "/libp2p/circuit/relay/0.2.0/hop";
inline constexpr std::string_view kStopProtocolId = "/libp2p/circuit/relay/0.2.0/stop";
// Relay messages are small; go-libp2p reads at most 4 KiB per message.
inline constexpr size_t kMaxMessageSize = 4096;

// The spec's Status enum (values are wire format).
enum class Status : uint32_t {
  kOk = 100,
  kReservationRefused = 200,
  kResourceLimitExceeded = 201,
  kPermissionDenied = 202,
  kConnectionFailed = 203,
  kNoReservation = 204,
  kMalformedMessage = 400,
  kUnexpectedMessage = 401,
};

enum class HopType : uint32_t { kReserve = 0, kConnect = 1, kStatus = 2 };
enum class StopType : uint32_t { kConnect = 0, kStatus = 1 };

// Per-circuit limits; a zero field means "no limit" in that dimension, and a message without a
// Limit announces an unlimited circuit.
struct Limit {
  uint32_t duration_seconds = 0;
  uint64_t data_bytes = 0;  // in each direction

  bool operator==(const Limit&) const = default;
};

struct PeerInfo {
  crypto::PeerId id;
  std::vector<Multiaddr> addrs;  // addresses that do not parse are dropped, as go-libp2p does

  bool operator==(const PeerInfo&) const = default;
};

struct Reservation {
  uint64_t expire_unix = 0;            // 0 when absent
  std::vector<Multiaddr> addrs;        // the relay's addresses, each ending in /p2p/<relay>
  std::optional<util::Bytes> voucher;  // a signed envelope, see voucher.hpp

  bool operator==(const Reservation&) const = default;
};

struct HopMessage {
  HopType type = HopType::kReserve;
  std::optional<PeerInfo> peer;
  std::optional<Reservation> reservation;
  std::optional<Limit> limit;
  std::optional<Status> status;  // absent as well when the value is not one the spec defines

  bool operator==(const HopMessage&) const = default;
};

struct StopMessage {
  StopType type = StopType::kConnect;
  std::optional<PeerInfo> peer;
  std::optional<Limit> limit;
  std::optional<Status> status;

  bool operator==(const StopMessage&) const = default;
};

// The bare protobufs.
util::Bytes encode(const HopMessage& message);
util::Bytes encode(const StopMessage& message);
// The protobuf preceded by its uvarint length, as written on the stream.
util::Bytes encode_framed(const HopMessage& message);
util::Bytes encode_framed(const StopMessage& message);

// Decode a bare protobuf. kTooLarge over kMaxMessageSize; kMalformed when it does not parse, has
// no (or an unknown) type, or carries a Peer whose ID is not a valid peer ID (go-libp2p answers
// all of these with MALFORMED_MESSAGE).
util::Result<HopMessage> decode_hop(util::ByteView protobuf);
util::Result<StopMessage> decode_stop(util::ByteView protobuf);

template <class Message>
struct Frame {
  Message message;
  size_t consumed = 0;  // prefix + body; the bytes after them belong to the relayed connection
};

// Read one length-prefixed message from the start of `buffer`. kTruncated when more bytes are
// needed (the caller reads more; never past the message, as what follows a hop or stop
// handshake is the circuit's data), kTooLarge as soon as the prefix announces more than
// kMaxMessageSize, other errors as decode_*.
util::Result<Frame<HopMessage>> read_hop_frame(util::ByteView buffer);
util::Result<Frame<StopMessage>> read_stop_frame(util::ByteView buffer);

// The body of one length-prefixed message at the start of `buffer` and the bytes it spans, with
// the errors of read_*_frame; shared with DCUtR, which frames its messages the same way.
struct RawFrame {
  util::ByteView body;
  size_t consumed = 0;
};
util::Result<RawFrame> read_raw_frame(util::ByteView buffer, size_t max_size = kMaxMessageSize);
// `body` preceded by its uvarint length.
util::Bytes frame(util::ByteView body);

// "OK", "NO_RESERVATION", ...; "UNKNOWN" for other values.
std::string_view status_name(Status status);

// The status-only answers: HopMessage{STATUS, status} and StopMessage{STATUS, status}.
HopMessage hop_status(Status status);
StopMessage stop_status(Status status);

// True for an address that goes through a relay (it has a /p2p-circuit component).
bool is_relay_address(const Multiaddr& addr);

}  // namespace edgevpn::p2p::relay
