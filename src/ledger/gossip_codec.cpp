// Gossip codec: envelope, AES-GCM seal under the epoch key (current, then previous within the
// grace window), gzip bounded by the network's max message size.
#include "ledger/gossip_codec.hpp"

#include "ledger/envelope.hpp"
#include "ledger/sealer.hpp"

namespace edgevpn::ledger {
namespace {

using util::Errc;

constexpr size_t kGcmNonceSize = 12;
constexpr size_t kGcmTagSize = 16;
constexpr size_t kMinSealedHex = 2 * (kGcmNonceSize + kGcmTagSize);

GossipError fail(GossipStage stage, util::Error error) {
  return GossipError{stage, std::move(error)};
}

}  // namespace

const char* gossip_stage_name(GossipStage stage) {
  switch (stage) {
    case GossipStage::kEnvelope: return "envelope";
    case GossipStage::kUnseal: return "unseal";
    case GossipStage::kInflate: return "inflate";
    case GossipStage::kBlock: return "block";
  }
  return "unknown";
}

std::string GossipError::describe() const {
  return std::string(gossip_stage_name(stage)) + ": " + error.describe();
}

util::Result<util::Bytes> encode_gossip_block(const Block& block, std::string_view seal_key,
                                              size_t max_message_size) {
  util::Bytes payload = encode_block_payload(block);
  Envelope envelope;
  envelope.message = AesSealer::seal(util::as_string_view(payload), seal_key);
  std::string json = encode_envelope(envelope);
  if (max_message_size != 0 && json.size() > max_message_size) {
    return util::make_error(Errc::kTooLarge, "ledger message of " + std::to_string(json.size()) +
                                                 " bytes exceeds max_message_size " +
                                                 std::to_string(max_message_size));
  }
  return util::to_bytes(json);
}

GossipDecodeResult decode_gossip_block(util::ByteView data, const SealKeys& keys,
                                       size_t max_message_size) {
  if (max_message_size != 0 && data.size() > max_message_size) {
    return fail(GossipStage::kEnvelope,
                util::make_error(Errc::kTooLarge, "message of " + std::to_string(data.size()) +
                                                      " bytes exceeds max_message_size"));
  }
  auto envelope = decode_envelope(util::as_string_view(data));
  if (!envelope.ok()) return fail(GossipStage::kEnvelope, envelope.error());

  // hex(nonce || tag) at least; shorter can never open (and an empty one must not reach the hex
  // decoder, which hands libsodium a null buffer).
  if (envelope->message.size() < kMinSealedHex) {
    return fail(GossipStage::kUnseal,
                util::make_error(Errc::kTruncated, "sealed message shorter than nonce and tag"));
  }
  bool previous_key = false;
  auto opened = AesSealer::unseal(envelope->message, keys.current);
  if (!opened.ok() && keys.previous.has_value()) {
    auto retry = AesSealer::unseal(envelope->message, *keys.previous);
    if (retry.ok()) {
      opened = std::move(retry);
      previous_key = true;
    }
  }
  if (!opened.ok()) return fail(GossipStage::kUnseal, opened.error());

  // The inflated JSON can never legitimately exceed what a gossip message may carry.
  size_t inflate_cap = max_message_size != 0 ? max_message_size : SIZE_MAX;
  auto json = gzip_decompress(util::as_bytes(*opened), inflate_cap);
  if (!json.ok()) return fail(GossipStage::kInflate, json.error());

  auto block = decode_block(*json);
  if (!block.ok()) return fail(GossipStage::kBlock, block.error());
  return DecodedGossip{std::move(block).value(), previous_key};
}

void GossipCounters::count(const GossipDecodeResult& result) {
  if (result.ok()) {
    ++accepted;
    if (result->previous_key) ++accepted_previous_key;
    return;
  }
  switch (result.error().stage) {
    case GossipStage::kEnvelope: ++bad_envelope; break;
    case GossipStage::kUnseal: ++unseal_failed; break;
    case GossipStage::kInflate: ++inflate_failed; break;
    case GossipStage::kBlock: ++bad_block; break;
  }
}

}  // namespace edgevpn::ledger
