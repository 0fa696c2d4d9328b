// The libp2p Noise handshake payload: identity key, signature binding it to the Noise static
// key, and extensions (early stream muxer negotiation).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/noise/noise_dh.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::noise {

inline constexpr std::string_view kStaticKeySignaturePrefix = "noise-libp2p-static-key:";
// Limits on what we keep of a peer's extensions.
inline constexpr size_t kMaxStreamMuxers = 32;

struct HandshakePayload {
  util::Bytes identity_key;  // libp2p PublicKey protobuf
  util::Bytes identity_sig;
  std::vector<std::string> stream_muxers;
};

struct VerifiedIdentity {
  crypto::PublicKey key;
  crypto::PeerId peer;
};

util::Bytes encode_payload(const HandshakePayload& payload);
// kMalformed when the bytes are not a NoiseHandshakePayload.
util::Result<HandshakePayload> decode_payload(util::ByteView encoded);

// Our payload: identity key and its signature over prefix || our static X25519 public key.
HandshakePayload make_payload(const crypto::PrivateKey& identity, const DhKey& static_public,
                              std::vector<std::string> stream_muxers);
// Checks the signature of the peer's identity key over its static key; kCrypto when it fails.
util::Result<VerifiedIdentity> verify_payload(const HandshakePayload& payload,
                                              const DhKey& remote_static);

}  // namespace edgevpn::p2p::noise
