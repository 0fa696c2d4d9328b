// Fuzzes the gossipsub router with an arbitrary byte stream from one peer (split into chunks by
// the first input byte), then runs a heartbeat: it must never crash or hang.
#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/pubsub/gossipsub_router.hpp"

namespace {

using namespace edgevpn;

crypto::PrivateKey key_from(uint8_t tag) {
  std::array<uint8_t, 32> seed{};
  seed.fill(tag);
  return crypto::PrivateKey::ed25519_from_seed(seed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn::p2p::pubsub;
  static const crypto::PrivateKey kRouterKey = key_from(1);
  static const crypto::PeerId kRemote = crypto::PeerId::from_public_key(key_from(2).public_key());
  static const crypto::PeerId kOther = crypto::PeerId::from_public_key(key_from(3).public_key());
  if (size == 0) return 0;

  RouterConfig config;
  config.max_message_size = 4096;
  const util::SteadyTime start{};
  GossipsubRouter router(kRouterKey, config, 1, start);
  router.subscribe("t", start);
  router.add_peer(kRemote, static_cast<Protocol>(data[0] % 4), (data[0] & 0x10) != 0);
  router.add_peer(kOther, Protocol::kMeshsub12, true);
  (void)router.publish("t", util::ByteView(data, size > 64 ? 64 : size), start);

  const size_t chunk = 1 + data[0] % 97;
  util::SteadyTime now = start;
  size_t step = 0;
  for (size_t offset = 1; offset < size; offset += chunk) {
    const size_t length = size - offset < chunk ? size - offset : chunk;
    if (!router.on_rpc_bytes(kRemote, util::ByteView(data + offset, length), now).ok()) break;
    if (++step % 8 == 0) {
      now += std::chrono::milliseconds(700);
      router.on_timer(now);
    }
  }
  router.heartbeat(now + std::chrono::seconds(2));
  (void)router.take_outgoing();
  (void)router.take_events();
  router.remove_peer(kRemote);
  router.unsubscribe("t", now);
  return 0;
}
