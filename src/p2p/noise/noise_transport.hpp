// libp2p Noise transport: plaintext to 2-byte big-endian length-prefixed ChaChaPoly frames and
// back. The sender and receiver halves are independent, so reads and writes can live apart.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "p2p/noise/noise_cipher_state.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::noise {

inline constexpr size_t kFrameHeaderSize = 2;
inline constexpr size_t kMaxFramePlaintext = kMaxMessageSize - kTagSize;  // 65519
// What our frames carry. Any size up to kMaxFramePlaintext is valid on the wire; 32 KiB keeps
// each frame's two AEAD passes (ChaCha20, then Poly1305) in the L1/L2 cache, which makes them
// about a third faster than 64 KiB frames on both ends.
inline constexpr size_t kSendFramePlaintext = 32 * 1024;

// Bytes on the wire for `plaintext_size` bytes of plaintext.
size_t encrypted_size(size_t plaintext_size);

class TransportSender {
 public:
  explicit TransportSender(CipherState cipher) : cipher_(cipher) {}

  // Appends the frames for `plaintext` (split every kSendFramePlaintext bytes; nothing for empty
  // input) to `out`. kCrypto once nonces run out; `out` is then left as it was.
  util::Status encrypt_into(util::Bytes& out, util::ByteView plaintext);
  // The same frames written to `out`, which must hold encrypted_size(plaintext.size()) bytes;
  // returns how many were written.
  util::Result<size_t> encrypt_to(std::span<uint8_t> out, util::ByteView plaintext);
  util::Result<util::Bytes> encrypt(util::ByteView plaintext);

  uint64_t nonce() const { return cipher_.nonce(); }
  void set_nonce_for_testing(uint64_t nonce) { cipher_.set_nonce(nonce); }

 private:
  CipherState cipher_;
};

class TransportReceiver {
 public:
  explicit TransportReceiver(CipherState cipher) : cipher_(cipher) {}

  // Feeds ciphertext in any chunking; appends the plaintext of every complete frame to `out` and
  // keeps a partial frame for the next call. kCrypto on a forged or corrupted frame, kMalformed
  // for a frame shorter than its tag: both final, the connection must be dropped.
  util::Status decrypt_into(util::Bytes& out, util::ByteView ciphertext);
  util::Result<util::Bytes> decrypt(util::ByteView ciphertext);
  // Zero-copy receiving: decrypts every complete frame of `buffer` in place and appends each
  // frame's plaintext (a span of `buffer`) to `plaintexts`; returns how many bytes of `buffer`
  // were used. The caller keeps the rest (a partial frame) and offers it again with more bytes.
  // Must not be mixed with decrypt_into while that holds a partial frame (see take_buffered).
  util::Result<size_t> open_in_place(std::span<uint8_t> buffer,
                                     std::vector<util::ByteView>& plaintexts);
  // Hands over the partial frame decrypt_into kept, to continue with open_in_place.
  util::Bytes take_buffered() { return std::move(pending_); }

  size_t buffered() const { return pending_.size(); }
  bool failed() const { return failed_; }
  uint64_t nonce() const { return cipher_.nonce(); }
  void set_nonce_for_testing(uint64_t nonce) { cipher_.set_nonce(nonce); }

 private:
  util::Status open_frame(util::Bytes& out, util::ByteView frame_body);

  CipherState cipher_;
  util::Bytes pending_;  // a frame begun but not complete, length prefix included
  bool failed_ = false;
};

// Both directions of an established session.
struct Transport {
  TransportSender sender;
  TransportReceiver receiver;

  util::Status encrypt_into(util::Bytes& out, util::ByteView plaintext) {
    return sender.encrypt_into(out, plaintext);
  }
  util::Result<util::Bytes> encrypt(util::ByteView plaintext) { return sender.encrypt(plaintext); }
  util::Status decrypt_into(util::Bytes& out, util::ByteView ciphertext) {
    return receiver.decrypt_into(out, ciphertext);
  }
  util::Result<util::Bytes> decrypt(util::ByteView ciphertext) {
    return receiver.decrypt(ciphertext);
  }
};

}  // namespace edgevpn::p2p::noise
