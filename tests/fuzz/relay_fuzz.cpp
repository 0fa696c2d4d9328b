// Fuzzes the circuit relay v2 decoders and what consumes their output: hop and stop frames never
// crash, what decodes re-encodes to the same message, and the hop service, the client's answer
// readers and the voucher opener take any decoded message without crashing.
#include <cstdlib>

#include "p2p/relay/relay_client.hpp"
#include "p2p/relay/relay_service.hpp"
#include "p2p/relay/voucher.hpp"

namespace {

using namespace edgevpn;
using namespace edgevpn::p2p::relay;

crypto::PrivateKey seeded_key(uint8_t fill) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return crypto::PrivateKey::ed25519_from_seed(seed);
}

crypto::PeerId seeded_peer(uint8_t fill) {
  return crypto::PeerId::from_public_key(seeded_key(fill).public_key());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Relay relay(seeded_key(1));
  static const crypto::PeerId client = seeded_peer(2);
  static const p2p::Multiaddr client_addr = *p2p::Multiaddr::parse("/ip4/5.5.5.2/tcp/4001");
  const util::WallTime now = util::WallTime{} + std::chrono::seconds(1767225600);
  const util::ByteView input(data, size);

  if (auto hop = read_hop_frame(input); hop.ok()) {
    const auto encoded = encode(hop->message);
    auto again = decode_hop(encoded);
    if (encoded.size() <= kMaxMessageSize && (!again.ok() || !(*again == hop->message))) {
      std::abort();
    }
    auto outcome = relay.handle_hop(hop->message, Requester{client, client_addr}, now);
    if (outcome.kind == HopOutcome::Kind::kCircuitPending) relay.on_stop_failed(*outcome.circuit);
    if (outcome.reply && !decode_hop(encode(*outcome.reply)).ok()) std::abort();
    (void)read_reserve_response(hop->message, seeded_peer(1), client, now);
    (void)read_connect_response(hop->message);
    if (hop->message.reservation && hop->message.reservation->voucher) {
      (void)open_voucher(*hop->message.reservation->voucher);
    }
  }
  auto stop = read_stop_frame(input);
  if (stop.ok()) {
    const auto encoded = encode(stop->message);
    auto again = decode_stop(encoded);
    if (encoded.size() <= kMaxMessageSize && (!again.ok() || !(*again == stop->message))) {
      std::abort();
    }
  }
  const auto answer = answer_stop_request(stop.ok() ? util::Result<StopMessage>(stop->message)
                                                    : util::Result<StopMessage>(stop.error()));
  if (answer.circuit.has_value() != (answer.reply.status == Status::kOk)) std::abort();
  (void)open_voucher(input);
  relay.tick(now + std::chrono::hours(2));
  return 0;
}
