// Protobuf encoding and signature checks for the libp2p Noise payload.
#include "p2p/noise/noise_payload.hpp"

#include "noise_payload.pb.h"  // protobuf_generate writes generated headers flat

namespace edgevpn::p2p::noise {
namespace {

util::Bytes signed_message(const DhKey& static_public) {
  util::Bytes message = util::to_bytes(kStaticKeySignaturePrefix);
  util::append(message, static_public);
  return message;
}

}  // namespace

util::Bytes encode_payload(const HandshakePayload& payload) {
  pb::NoiseHandshakePayload message;
  message.set_identity_key(payload.identity_key.data(), payload.identity_key.size());
  message.set_identity_sig(payload.identity_sig.data(), payload.identity_sig.size());
  if (!payload.stream_muxers.empty()) {
    auto* extensions = message.mutable_extensions();
    for (const auto& muxer : payload.stream_muxers) extensions->add_stream_muxers(muxer);
  }
  util::Bytes out(message.ByteSizeLong());
  message.SerializeToArray(out.data(), static_cast<int>(out.size()));
  return out;
}

util::Result<HandshakePayload> decode_payload(util::ByteView encoded) {
  pb::NoiseHandshakePayload message;
  if (!message.ParseFromArray(encoded.data(), static_cast<int>(encoded.size()))) {
    return util::make_error(util::Errc::kMalformed, "noise handshake payload does not parse");
  }
  HandshakePayload payload;
  payload.identity_key = util::to_bytes(message.identity_key());
  payload.identity_sig = util::to_bytes(message.identity_sig());
  if (message.has_extensions()) {
    const auto& muxers = message.extensions().stream_muxers();
    if (static_cast<size_t>(muxers.size()) > kMaxStreamMuxers) {
      return util::make_error(util::Errc::kTooLarge, "too many stream muxers in noise payload");
    }
    payload.stream_muxers.assign(muxers.begin(), muxers.end());
  }
  return payload;
}

HandshakePayload make_payload(const crypto::PrivateKey& identity, const DhKey& static_public,
                              std::vector<std::string> stream_muxers) {
  HandshakePayload payload;
  payload.identity_key = identity.public_key().to_protobuf();
  const auto signature = identity.sign(signed_message(static_public));
  payload.identity_sig.assign(signature.begin(), signature.end());
  payload.stream_muxers = std::move(stream_muxers);
  return payload;
}

util::Result<VerifiedIdentity> verify_payload(const HandshakePayload& payload,
                                              const DhKey& remote_static) {
  if (payload.identity_key.empty()) {
    return util::make_error(util::Errc::kProtocol, "noise payload without identity key");
  }
  auto key = crypto::PublicKey::from_protobuf(payload.identity_key);
  if (!key.ok()) return key.error();
  if (!key->verify(signed_message(remote_static), payload.identity_sig)) {
    return util::make_error(util::Errc::kCrypto,
                            "identity signature over the noise static key does not verify");
  }
  crypto::PeerId peer = crypto::PeerId::from_public_key(*key);
  return VerifiedIdentity{std::move(key).value(), std::move(peer)};
}

}  // namespace edgevpn::p2p::noise
