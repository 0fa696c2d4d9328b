// Fuzzes the Noise cores: a responder fed an arbitrary first message, a responder fed an arbitrary
// third message after a genuine first one, an initiator fed an arbitrary second message, the
// payload decoder, and a transport receiver fed arbitrary frames. Errors are fine, crashes are not.
#include <cstdlib>
#include <vector>

#include "crypto/keys.hpp"
#include "p2p/noise/noise_handshake.hpp"
#include "p2p/noise/noise_transport.hpp"

using namespace edgevpn;
using namespace edgevpn::p2p::noise;

namespace {

const crypto::PrivateKey& identity() {
  static const crypto::PrivateKey key = crypto::PrivateKey::ed25519_from_seed({7});
  return key;
}

HandshakeOptions fixed_keys(uint8_t salt) {
  HandshakeOptions options;
  options.static_key = DhKeyPair::from_private(DhKey{salt, 1});
  options.ephemeral_key = DhKeyPair::from_private(DhKey{salt, 2});
  return options;
}

void feed_in_chunks(Handshake& handshake, util::ByteView data, size_t chunk) {
  while (!data.empty()) {
    const size_t take = std::min(chunk, data.size());
    if (!handshake.feed(data.first(take)).ok()) {
      if (!handshake.failed()) std::abort();
      return;
    }
    data = data.subspan(take);
  }
  if (handshake.done() && !handshake.take_session().ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = (data[0] & 0x7f) + 1;
  const util::ByteView input(data + 1, size - 1);

  {  // arbitrary first message
    Handshake responder(Role::kResponder, identity(), std::nullopt, fixed_keys(1));
    feed_in_chunks(responder, input, chunk);
  }
  {  // genuine first message, arbitrary second and third
    Handshake initiator(Role::kInitiator, identity(), std::nullopt, fixed_keys(2));
    Handshake responder(Role::kResponder, identity(), std::nullopt, fixed_keys(3));
    if (!responder.feed(initiator.take_output()).ok()) std::abort();
    feed_in_chunks(responder, input, chunk);
    feed_in_chunks(initiator, input, chunk);
  }
  {  // arbitrary handshake payload (what a peer sends inside messages 2 and 3)
    auto payload = decode_payload(input);
    if (payload.ok()) (void)verify_payload(*payload, DhKey{});
  }
  {  // arbitrary transport frames
    CipherKey key{};
    key[0] = data[0];
    TransportReceiver receiver{CipherState(key)};
    util::Bytes plaintext;
    util::ByteView rest = input;
    while (!rest.empty()) {
      const size_t take = std::min(chunk, rest.size());
      if (!receiver.decrypt_into(plaintext, rest.first(take)).ok()) break;
      rest = rest.subspan(take);
    }
    if (receiver.buffered() > kFrameHeaderSize + kMaxMessageSize) std::abort();
  }
  {  // the same frames opened in place, as the connection's read loop does
    CipherKey key{};
    key[0] = data[0];
    TransportReceiver receiver{CipherState(key)};
    util::Bytes buffer(input.begin(), input.end());
    std::vector<util::ByteView> plaintexts;
    auto used = receiver.open_in_place(buffer, plaintexts);
    if (used.ok()) {
      if (*used > buffer.size()) std::abort();
      for (const auto plaintext : plaintexts) {
        if (plaintext.data() < buffer.data() ||
            plaintext.data() + plaintext.size() > buffer.data() + *used) {
          std::abort();
        }
      }
    }
  }
  return 0;
}
