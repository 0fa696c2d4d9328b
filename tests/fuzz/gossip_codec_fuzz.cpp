// Fuzzes the ledger gossip decoder: arbitrary pubsub data (envelope, unseal with current and
// previous keys) and arbitrary sealed payloads (gunzip, block decode) never crash, and a block
// that decodes re-encodes, and decodes back to the same wire JSON.
#include <cstdlib>
#include <string>

#include "ledger/envelope.hpp"
#include "ledger/gossip_codec.hpp"
#include "ledger/sealer.hpp"

namespace {

using namespace edgevpn;

constexpr size_t kMaxMessageSize = 1 << 20;
constexpr const char* kCurrentKey = "a89467c668bac45b14921cf589c02fb8";
constexpr const char* kPreviousKey = "0123456789abcdef0123456789abcdef";

void check_round_trip(const ledger::GossipDecodeResult& decoded, const ledger::SealKeys& keys) {
  if (!decoded.ok()) return;
  auto again = ledger::encode_gossip_block(decoded->block, keys.current, 0);
  if (!again.ok()) std::abort();
  auto back = ledger::decode_gossip_block(*again, keys, 0);
  if (!back.ok() || back->previous_key) std::abort();
  if (ledger::encode_block(back->block) != ledger::encode_block(decoded->block)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ledger::SealKeys keys{kCurrentKey, std::string(kPreviousKey)};
  util::ByteView input(data, size);

  // As received from pubsub.
  auto decoded = ledger::decode_gossip_block(input, keys, kMaxMessageSize);
  ledger::GossipCounters counters;
  counters.count(decoded);
  if (decoded.ok()) check_round_trip(decoded, keys);

  // As the plaintext of a correctly sealed message, to reach the inflate and block stages.
  static constexpr crypto::AesGcmNonce kNonce = {};
  ledger::Envelope envelope;
  envelope.message = ledger::AesSealer::seal_with_nonce(
      util::as_string_view(input), size % 2 == 0 ? kCurrentKey : kPreviousKey, kNonce);
  std::string wire = ledger::encode_envelope(envelope);
  auto opened = ledger::decode_gossip_block(util::as_bytes(wire), keys, kMaxMessageSize);
  if (opened.ok()) {
    if (opened->previous_key != (size % 2 != 0)) std::abort();
    check_round_trip(opened, keys);
  }
  return 0;
}
