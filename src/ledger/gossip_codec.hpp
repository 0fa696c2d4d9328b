// The ledger's gossip message codec (spec 4, 5.3, 5.4): Block <-> envelope JSON carrying
// seal(gzip(JSON(block))) under the OTP seal key, with the previous epoch's key as a fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ledger/block.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

// The keys a received message may be sealed with: the current epoch's, and the previous epoch's
// while inside the grace window after a rotation boundary (TopicSchedule fills this in).
struct SealKeys {
  std::string current;
  std::optional<std::string> previous;
};

// Where decoding stopped; callers count failures per stage.
enum class GossipStage {
  kEnvelope,  // too large, or not the envelope JSON
  kUnseal,    // not sealed with any acceptable key (other network, stale epoch, tampered)
  kInflate,   // not gzip, truncated, or inflates beyond max_message_size
  kBlock,     // not a Block as Go's json.Unmarshal would read it
};

const char* gossip_stage_name(GossipStage stage);

struct GossipError {
  GossipStage stage = GossipStage::kEnvelope;
  util::Error error;

  // "<stage>: <errc>: <message>"
  std::string describe() const;
};

struct DecodedGossip {
  Block block;
  bool previous_key = false;  // opened with the previous epoch's key (grace window)
};

// Either a decoded block or the stage and reason it was dropped.
class [[nodiscard]] GossipDecodeResult {
 public:
  GossipDecodeResult(DecodedGossip value) : state_(std::move(value)) {}  // NOLINT: implicit
  GossipDecodeResult(GossipError error) : state_(std::move(error)) {}    // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const DecodedGossip& value() const& { return std::get<0>(state_); }
  DecodedGossip&& value() && { return std::get<0>(std::move(state_)); }
  const DecodedGossip* operator->() const { return &value(); }
  const GossipError& error() const { return std::get<1>(state_); }

 private:
  std::variant<DecodedGossip, GossipError> state_;
};

// The pubsub `data` for a block: {"Message":seal(gzip(JSON(block))),"SenderID":"",
// "Annotations":null}. kTooLarge when it would exceed `max_message_size` (0 = no limit), since
// gossipsub peers would drop it.
util::Result<util::Bytes> encode_gossip_block(const Block& block, std::string_view seal_key,
                                              size_t max_message_size);

// Inverse of encode_gossip_block. `max_message_size` bounds the message and the inflated JSON.
GossipDecodeResult decode_gossip_block(util::ByteView data, const SealKeys& keys,
                                       size_t max_message_size);

// Per-stage counters the I/O layer keeps for metrics and logs.
struct GossipCounters {
  uint64_t accepted = 0;
  uint64_t accepted_previous_key = 0;  // subset of accepted
  uint64_t bad_envelope = 0;
  uint64_t unseal_failed = 0;
  uint64_t inflate_failed = 0;
  uint64_t bad_block = 0;

  void count(const GossipDecodeResult& result);
  uint64_t dropped() const { return bad_envelope + unseal_failed + inflate_failed + bad_block; }
};

}  // namespace edgevpn::ledger
