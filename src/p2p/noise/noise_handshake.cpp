// libp2p Noise handshake: framing, payload exchange and identity checks around HandshakeState.
#include "p2p/noise/noise_handshake.hpp"

#include <algorithm>

namespace edgevpn::p2p::noise {
namespace {

std::optional<std::string> pick_early_muxer(const std::vector<std::string>& initiator,
                                            const std::vector<std::string>& responder) {
  for (const auto& muxer : initiator) {
    if (std::find(responder.begin(), responder.end(), muxer) != responder.end()) return muxer;
  }
  return std::nullopt;
}

}  // namespace

Handshake::Handshake(Role role, const crypto::PrivateKey& identity,
                     std::optional<crypto::PeerId> expected_remote, HandshakeOptions options)
    : role_(role),
      expected_remote_(std::move(expected_remote)),
      local_muxers_(options.stream_muxers),
      state_(role == Role::kInitiator, {},
             options.static_key ? *options.static_key : DhKeyPair::generate(),
             options.ephemeral_key) {
  local_payload_ = encode_payload(
      make_payload(identity, state_.local_static().public_key, std::move(options.stream_muxers)));
  if (role_ == Role::kInitiator) {
    // Message 1 carries no payload: it would go out unencrypted.
    if (auto status = write_message({}); !status.ok()) (void)fail(status.error());
  }
}

util::Status Handshake::fail(util::Error error) {
  error_ = error;
  input_.clear();
  output_.clear();
  return error;
}

util::Status Handshake::write_message(util::ByteView payload) {
  auto message = state_.write_message(payload);
  if (!message.ok()) return message.error();
  util::put_u16_be(output_, static_cast<uint16_t>(message->size()));
  util::append(output_, *message);
  return {};
}

util::Result<VerifiedIdentity> Handshake::check_remote(util::ByteView payload_bytes) {
  auto payload = decode_payload(payload_bytes);
  if (!payload.ok()) return payload.error();
  auto identity = verify_payload(*payload, *state_.remote_static());
  if (!identity.ok()) return identity.error();
  if (expected_remote_ && identity->peer != *expected_remote_) {
    return util::make_error(util::Errc::kCrypto, "remote peer is " + identity->peer.to_base58() +
                                                     ", expected " + expected_remote_->to_base58());
  }
  remote_peer_ = identity->peer;
  remote_muxers_ = std::move(payload->stream_muxers);
  return identity;
}

util::Status Handshake::finish(VerifiedIdentity identity) {
  auto ciphers = state_.split();
  if (!ciphers.ok()) return ciphers.error();
  std::optional<std::string> early_muxer;
  if (!local_muxers_.empty() && !remote_muxers_.empty()) {
    early_muxer = role_ == Role::kInitiator ? pick_early_muxer(local_muxers_, remote_muxers_)
                                            : pick_early_muxer(remote_muxers_, local_muxers_);
  }
  session_.emplace(
      Session{std::move(identity.peer), std::move(identity.key), remote_muxers_,
              std::move(early_muxer), state_.handshake_hash(),
              Transport{TransportSender(ciphers->send), TransportReceiver(ciphers->receive)}});
  return {};
}

util::Status Handshake::handle_message(util::ByteView message) {
  auto payload = state_.read_message(message);
  if (!payload.ok()) return payload.error();
  if (role_ == Role::kResponder && !state_.complete()) {
    // Message 1: any payload is ignored; answer with message 2.
    return write_message(local_payload_);
  }
  auto identity = check_remote(*payload);
  if (!identity.ok()) return identity.error();
  if (role_ == Role::kInitiator) EDGEVPN_TRY(write_message(local_payload_));
  return finish(std::move(identity).value());
}

util::Status Handshake::feed(util::ByteView in) {
  if (error_) return *error_;
  util::append(input_, in);
  size_t offset = 0;
  while (!done() && input_.size() - offset >= 2) {
    const size_t length = util::get_u16_be(input_.data() + offset);
    if (input_.size() - offset - 2 < length) break;
    const util::ByteView message(input_.data() + offset + 2, length);
    offset += 2 + length;
    if (auto status = handle_message(message); !status.ok()) return fail(status.error());
  }
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(offset));
  return {};
}

util::Bytes Handshake::take_output() {
  return std::exchange(output_, {});
}

util::Result<Session> Handshake::take_session() {
  if (!session_) {
    return util::make_error(util::Errc::kInvalidArgument,
                            session_taken_ ? "session already taken" : "handshake not done");
  }
  Session session = std::move(*session_);
  session_.reset();
  session_taken_ = true;
  return session;
}

util::Bytes Handshake::take_leftover() {
  if (!done()) return {};
  return std::exchange(input_, {});
}

}  // namespace edgevpn::p2p::noise
