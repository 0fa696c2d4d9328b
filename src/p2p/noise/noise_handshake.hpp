// libp2p /noise security handshake, sans-I/O: XX with identity payloads, each handshake message
// framed by a 2-byte big-endian length. Feed peer bytes, send take_output(), and once done()
// take the Session (verified remote identity + transport ciphers).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/noise/noise_dh.hpp"
#include "p2p/noise/noise_handshake_state.hpp"
#include "p2p/noise/noise_payload.hpp"
#include "p2p/noise/noise_transport.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::noise {

inline constexpr std::string_view kProtocolId = "/noise";

enum class Role { kInitiator, kResponder };

struct HandshakeOptions {
  // Advertised in the payload's extensions for early muxer negotiation (libp2p specs
  // connections/inlined-muxer-negotiation.md). Empty: none sent, muxer chosen by multistream.
  std::vector<std::string> stream_muxers;
  // Tests only: fixed keys instead of fresh ones.
  std::optional<DhKeyPair> static_key;
  std::optional<DhKeyPair> ephemeral_key;
};

struct Session {
  crypto::PeerId remote_peer;
  crypto::PublicKey remote_key;
  std::vector<std::string> remote_stream_muxers;
  // Set when both sides advertised muxers and share one: the first of the initiator's list the
  // responder also lists. Then no multistream round for the muxer follows.
  std::optional<std::string> early_muxer;
  HashDigest handshake_hash{};
  Transport transport;
};

class Handshake {
 public:
  Handshake(Role role, const crypto::PrivateKey& identity,
            std::optional<crypto::PeerId> expected_remote = std::nullopt,
            HandshakeOptions options = {});

  // Feeds bytes from the peer, in any chunking. Errors are final: kCrypto (decryption or
  // identity signature failed, or the remote is not expected_remote), kMalformed, kTruncated,
  // kProtocol. Bytes after the last handshake message are kept for take_leftover().
  util::Status feed(util::ByteView in);
  // Handshake bytes to send (the initiator has its first message ready at once).
  util::Bytes take_output();

  bool done() const { return session_.has_value() || session_taken_; }
  bool failed() const { return error_.has_value(); }
  // The remote identity, known once its payload was verified (before done() for the initiator).
  const std::optional<crypto::PeerId>& remote_peer() const { return remote_peer_; }
  // After done(), once: the established session.
  util::Result<Session> take_session();
  // Peer bytes after the final handshake message (already transport frames).
  util::Bytes take_leftover();
  Role role() const { return role_; }

 private:
  util::Status handle_message(util::ByteView message);
  util::Result<VerifiedIdentity> check_remote(util::ByteView payload_bytes);
  util::Status write_message(util::ByteView payload);
  util::Status finish(VerifiedIdentity identity);
  util::Status fail(util::Error error);

  Role role_;
  std::optional<crypto::PeerId> expected_remote_;
  std::vector<std::string> local_muxers_;
  HandshakeState state_;
  util::Bytes local_payload_;
  util::Bytes input_;
  util::Bytes output_;
  std::optional<crypto::PeerId> remote_peer_;
  std::vector<std::string> remote_muxers_;
  std::optional<Session> session_;
  bool session_taken_ = false;
  std::optional<util::Error> error_;
};

}  // namespace edgevpn::p2p::noise
