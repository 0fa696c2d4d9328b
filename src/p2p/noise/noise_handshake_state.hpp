// Raw Noise_XX_25519_ChaChaPoly_SHA256 HandshakeState with arbitrary payloads and prologue:
//   -> e
//   <- e, ee, s, es
//   -> s, se
// The libp2p layer (noise_handshake.hpp) adds framing and identity payloads on top.
#pragma once

#include <optional>
#include <string_view>

#include "p2p/noise/noise_cipher_state.hpp"
#include "p2p/noise/noise_dh.hpp"
#include "p2p/noise/noise_symmetric_state.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::noise {

inline constexpr std::string_view kProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";

// The two cipher states of a finished handshake, oriented for one side.
struct CipherPair {
  CipherState send;
  CipherState receive;
};

class HandshakeState {
 public:
  // `ephemeral_key` is for tests (test vectors); normally a fresh one is generated when needed.
  HandshakeState(bool initiator, util::ByteView prologue, DhKeyPair static_key,
                 std::optional<DhKeyPair> ephemeral_key = std::nullopt);
  HandshakeState(const HandshakeState&) = default;
  HandshakeState& operator=(const HandshakeState&) = default;
  ~HandshakeState();  // wipes the private keys

  // Writes the next handshake message carrying `payload`. kInvalidArgument when it is not our
  // turn or the message would exceed 65535 bytes.
  util::Result<util::Bytes> write_message(util::ByteView payload);
  // Reads the peer's next handshake message and returns its payload. Any error is final.
  util::Result<util::Bytes> read_message(util::ByteView message);

  bool is_initiator() const { return initiator_; }
  // True when the next message is ours to write.
  bool is_my_turn() const { return !failed_ && step_ < 3 && (step_ % 2 == 0) == initiator_; }
  bool complete() const { return step_ == 3; }
  bool failed() const { return failed_; }
  // After complete(): the transport cipher states for this side.
  util::Result<CipherPair> split() const;

  const HashDigest& handshake_hash() const { return symmetric_.handshake_hash(); }
  const std::optional<DhKey>& remote_static() const { return remote_static_; }
  const DhKeyPair& local_static() const { return static_key_; }

 private:
  util::Status write_tokens(util::Bytes& out);
  util::Status read_tokens(util::ByteView& message);
  util::Status read_remote_static(util::ByteView& message);
  void read_remote_ephemeral(util::ByteView& message);
  util::Status mix_dh(const DhKeyPair& local, const DhKey& remote);

  bool initiator_;
  int step_ = 0;  // messages exchanged so far
  bool failed_ = false;
  SymmetricState symmetric_;
  DhKeyPair static_key_;
  std::optional<DhKeyPair> ephemeral_key_;
  std::optional<DhKey> remote_ephemeral_;
  std::optional<DhKey> remote_static_;
};

}  // namespace edgevpn::p2p::noise
