// The XX message patterns, token by token, as the Noise spec's WriteMessage / ReadMessage.
#include "p2p/noise/noise_handshake_state.hpp"

#include <sodium.h>

#include <algorithm>

namespace edgevpn::p2p::noise {
namespace {

constexpr size_t kDhSize = 32;

}  // namespace

HandshakeState::HandshakeState(bool initiator, util::ByteView prologue, DhKeyPair static_key,
                               std::optional<DhKeyPair> ephemeral_key)
    : initiator_(initiator),
      symmetric_(kProtocolName),
      static_key_(static_key),
      ephemeral_key_(ephemeral_key) {
  symmetric_.mix_hash(prologue);
}

HandshakeState::~HandshakeState() {
  sodium_memzero(static_key_.private_key.data(), static_key_.private_key.size());
  if (ephemeral_key_) {
    sodium_memzero(ephemeral_key_->private_key.data(), ephemeral_key_->private_key.size());
  }
}

util::Status HandshakeState::mix_dh(const DhKeyPair& local, const DhKey& remote) {
  auto shared = dh(local, remote);
  if (!shared.ok()) return shared.error();
  symmetric_.mix_key(*shared);
  return {};
}

util::Status HandshakeState::write_tokens(util::Bytes& out) {
  switch (step_) {
    case 0:  // -> e
    case 1:  // <- e, ee, s, es
      if (!ephemeral_key_) ephemeral_key_ = DhKeyPair::generate();
      util::append(out, ephemeral_key_->public_key);
      symmetric_.mix_hash(ephemeral_key_->public_key);
      if (step_ == 0) return {};
      EDGEVPN_TRY(mix_dh(*ephemeral_key_, *remote_ephemeral_));               // ee
      EDGEVPN_TRY(symmetric_.encrypt_and_hash(static_key_.public_key, out));  // s
      return mix_dh(static_key_, *remote_ephemeral_);                         // es (responder side)
    default:                                                                  // -> s, se
      EDGEVPN_TRY(symmetric_.encrypt_and_hash(static_key_.public_key, out));
      return mix_dh(static_key_, *remote_ephemeral_);  // se (initiator side)
  }
}

util::Result<util::Bytes> HandshakeState::write_message(util::ByteView payload) {
  if (!is_my_turn()) {
    return util::make_error(util::Errc::kInvalidArgument, "not our turn to write a message");
  }
  util::Bytes out;
  out.reserve(96 + payload.size());
  util::Status status = write_tokens(out);
  if (status.ok()) status = symmetric_.encrypt_and_hash(payload, out);
  if (!status.ok()) {
    failed_ = true;
    return status.error();
  }
  if (out.size() > kMaxMessageSize) {
    failed_ = true;
    return util::make_error(util::Errc::kInvalidArgument, "handshake message over 65535 bytes");
  }
  ++step_;
  return out;
}

void HandshakeState::read_remote_ephemeral(util::ByteView& message) {
  DhKey key;
  std::copy_n(message.begin(), kDhSize, key.begin());
  remote_ephemeral_ = key;
  symmetric_.mix_hash(key);
  message = message.subspan(kDhSize);
}

util::Status HandshakeState::read_remote_static(util::ByteView& message) {
  const size_t size = kDhSize + symmetric_.overhead();
  if (message.size() < size)
    return util::make_error(util::Errc::kTruncated, "handshake message too short");
  auto decrypted = symmetric_.decrypt_and_hash(message.first(size));
  if (!decrypted.ok()) return decrypted.error();
  DhKey key;
  std::copy_n(decrypted->begin(), kDhSize, key.begin());
  remote_static_ = key;
  message = message.subspan(size);
  return {};
}

util::Status HandshakeState::read_tokens(util::ByteView& message) {
  if (step_ < 2 && message.size() < kDhSize) {
    return util::make_error(util::Errc::kTruncated, "handshake message too short");
  }
  switch (step_) {
    case 0:  // -> e
      read_remote_ephemeral(message);
      return {};
    case 1:  // <- e, ee, s, es
      read_remote_ephemeral(message);
      EDGEVPN_TRY(mix_dh(*ephemeral_key_, *remote_ephemeral_));  // ee
      EDGEVPN_TRY(read_remote_static(message));
      return mix_dh(*ephemeral_key_, *remote_static_);  // es (initiator side)
    default:                                            // -> s, se
      EDGEVPN_TRY(read_remote_static(message));
      return mix_dh(*ephemeral_key_, *remote_static_);  // se (responder side)
  }
}

util::Result<util::Bytes> HandshakeState::read_message(util::ByteView message) {
  if (failed_ || step_ >= 3 || is_my_turn()) {
    return util::make_error(util::Errc::kProtocol, "unexpected handshake message");
  }
  if (message.size() > kMaxMessageSize) {
    failed_ = true;
    return util::make_error(util::Errc::kTooLarge, "handshake message over 65535 bytes");
  }
  util::Status status = read_tokens(message);
  if (status.ok()) {
    if (symmetric_.has_key() && message.size() < kTagSize) {
      status = util::make_error(util::Errc::kTruncated, "handshake message too short");
    } else {
      auto payload = symmetric_.decrypt_and_hash(message);
      if (payload.ok()) {
        ++step_;
        return payload;
      }
      status = payload.error();
    }
  }
  failed_ = true;
  return status.error();
}

util::Result<CipherPair> HandshakeState::split() const {
  if (!complete()) return util::make_error(util::Errc::kInvalidArgument, "handshake not complete");
  auto [initiator_to_responder, responder_to_initiator] = symmetric_.split();
  if (initiator_) return CipherPair{initiator_to_responder, responder_to_initiator};
  return CipherPair{responder_to_initiator, initiator_to_responder};
}

}  // namespace edgevpn::p2p::noise
