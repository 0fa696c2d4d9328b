// Fuzzes the decoders of remote identities: the libp2p PublicKey protobuf and peer IDs in binary
// and text form. They must never crash, and whatever they accept must round-trip.
#include <cstdlib>
#include <string_view>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"

namespace {

using edgevpn::crypto::PeerId;
using edgevpn::crypto::PublicKey;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_peer_id(const PeerId& id) {
  auto from_bytes = PeerId::from_bytes(id.bytes());
  check(from_bytes.ok() && *from_bytes == id);
  auto from_base58 = PeerId::parse(id.to_base58());
  check(from_base58.ok() && *from_base58 == id);
  auto from_cid = PeerId::parse(id.to_cid());
  check(from_cid.ok() && *from_cid == id);
  if (auto key = id.extract_public_key()) {
    (void)id.matches(*key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const edgevpn::util::ByteView input(data, size);

  auto key = PublicKey::from_protobuf(input);
  if (key.ok()) {
    const auto encoded = key->to_protobuf();
    auto again = PublicKey::from_protobuf(encoded);
    check(again.ok() && *again == *key && again->to_protobuf() == encoded);
    // Verification of arbitrary signatures must fail cleanly, never crash.
    (void)key->verify(input, input);
    (void)key->verify(input.first(size / 2), input.subspan(size / 2));
    const PeerId id = PeerId::from_public_key(*key);
    check(id.matches(*key));
    check_peer_id(id);
  }

  auto id = PeerId::from_bytes(input);
  if (id.ok()) check_peer_id(*id);

  auto parsed = PeerId::parse(edgevpn::util::as_string_view(input));
  if (parsed.ok()) check_peer_id(*parsed);
  return 0;
}
