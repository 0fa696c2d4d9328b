// StrictSign signing and verification of pubsub messages, and the default message ID.
#include "p2p/pubsub/message_signing.hpp"

#include <optional>

namespace edgevpn::p2p::pubsub {

MessageId default_message_id(const pb::Message& message) {
  return message.from() + message.seqno();
}

std::string signing_bytes(const pb::Message& message) {
  pb::Message unsigned_copy = message;
  unsigned_copy.clear_signature();
  unsigned_copy.clear_key();
  std::string out(kSignaturePrefix);
  out += unsigned_copy.SerializeAsString();
  return out;
}

pb::Message make_signed_message(const crypto::PrivateKey& key, const crypto::PeerId& self,
                                std::string_view topic, util::ByteView data, uint64_t seqno) {
  pb::Message message;
  message.set_from(util::to_string(self.bytes()));
  message.set_data(std::string(util::as_string_view(data)));
  util::Bytes seqno_bytes;
  util::put_u64_be(seqno_bytes, seqno);
  message.set_seqno(util::to_string(seqno_bytes));
  message.set_topic(std::string(topic));
  const auto signature = key.sign(util::as_bytes(signing_bytes(message)));
  message.set_signature(
      std::string(reinterpret_cast<const char*>(signature.data()), signature.size()));
  if (!self.extract_public_key().has_value()) {
    message.set_key(util::to_string(key.public_key().to_protobuf()));
  }
  return message;
}

util::Result<crypto::PeerId> verify_strict_sign(const pb::Message& message) {
  using util::Errc;
  if (!message.has_from() || message.from().empty()) {
    return util::make_error(Errc::kCrypto, "unsigned message: no from");
  }
  if (!message.has_seqno() || message.seqno().size() != kSeqnoSize) {
    return util::make_error(Errc::kCrypto, "unsigned message: seqno is not 8 bytes");
  }
  if (!message.has_signature() || message.signature().empty()) {
    return util::make_error(Errc::kCrypto, "unsigned message: no signature");
  }
  auto author = crypto::PeerId::from_bytes(util::as_bytes(message.from()));
  if (!author.ok()) return util::make_error(Errc::kCrypto, "from is not a peer ID");

  std::optional<crypto::PublicKey> public_key;
  if (message.has_key()) {
    auto decoded = crypto::PublicKey::from_protobuf(util::as_bytes(message.key()));
    if (!decoded.ok()) return util::make_error(Errc::kCrypto, "key does not decode");
    if (!author->matches(*decoded)) {
      return util::make_error(Errc::kCrypto, "key does not match from");
    }
    public_key = std::move(decoded).value();
  } else {
    public_key = author->extract_public_key();
    if (!public_key.has_value()) {
      return util::make_error(Errc::kCrypto, "no key and from does not inline one");
    }
  }
  if (!public_key->verify(util::as_bytes(signing_bytes(message)),
                          util::as_bytes(message.signature()))) {
    return util::make_error(Errc::kCrypto, "bad signature");
  }
  return std::move(author).value();
}

}  // namespace edgevpn::p2p::pubsub
