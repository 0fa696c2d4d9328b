// Framing and AEAD for the Noise transport phase; encryption writes straight into the caller's
// buffer and decryption reads complete frames straight from the input, copying only a partial one.
#include "p2p/noise/noise_transport.hpp"

#include <algorithm>

namespace edgevpn::p2p::noise {

size_t encrypted_size(size_t plaintext_size) {
  const size_t frames = (plaintext_size + kSendFramePlaintext - 1) / kSendFramePlaintext;
  return plaintext_size + frames * (kFrameHeaderSize + kTagSize);
}

util::Result<size_t> TransportSender::encrypt_to(std::span<uint8_t> out,
                                                 util::ByteView plaintext) {
  if (out.size() < encrypted_size(plaintext.size())) {
    return util::make_error(util::Errc::kInvalidArgument, "output buffer too small");
  }
  size_t written = 0;
  while (!plaintext.empty()) {
    const size_t chunk = std::min(plaintext.size(), kSendFramePlaintext);
    const size_t body = chunk + kTagSize;
    out[written] = static_cast<uint8_t>(body >> 8);
    out[written + 1] = static_cast<uint8_t>(body);
    EDGEVPN_TRY(cipher_.encrypt_with_ad({}, plaintext.first(chunk),
                                        out.subspan(written + kFrameHeaderSize, body)));
    written += kFrameHeaderSize + body;
    plaintext = plaintext.subspan(chunk);
  }
  return written;
}

util::Status TransportSender::encrypt_into(util::Bytes& out, util::ByteView plaintext) {
  const size_t start = out.size();
  out.resize(start + encrypted_size(plaintext.size()));
  auto written = encrypt_to(std::span<uint8_t>(out).subspan(start), plaintext);
  if (!written.ok()) {
    out.resize(start);
    return written.error();
  }
  return {};
}

util::Result<util::Bytes> TransportSender::encrypt(util::ByteView plaintext) {
  util::Bytes out;
  EDGEVPN_TRY(encrypt_into(out, plaintext));
  return out;
}

util::Status TransportReceiver::open_frame(util::Bytes& out, util::ByteView frame_body) {
  if (frame_body.size() < kTagSize) {
    failed_ = true;
    return util::make_error(util::Errc::kMalformed, "noise frame shorter than its tag");
  }
  const size_t start = out.size();
  out.resize(start + frame_body.size() - kTagSize);
  const std::span<uint8_t> target(out.data() + start, frame_body.size() - kTagSize);
  if (auto status = cipher_.decrypt_with_ad({}, frame_body, target); !status.ok()) {
    out.resize(start);
    failed_ = true;
    return status;
  }
  return {};
}

util::Status TransportReceiver::decrypt_into(util::Bytes& out, util::ByteView ciphertext) {
  if (failed_) return util::make_error(util::Errc::kClosed, "noise receiver failed earlier");
  if (!pending_.empty()) {
    // Complete the length prefix, then the frame it announces.
    if (pending_.size() < kFrameHeaderSize) {
      const size_t take = std::min(kFrameHeaderSize - pending_.size(), ciphertext.size());
      util::append(pending_, ciphertext.first(take));
      ciphertext = ciphertext.subspan(take);
      if (pending_.size() < kFrameHeaderSize) return {};
    }
    const size_t frame_size = kFrameHeaderSize + util::get_u16_be(pending_.data());
    const size_t take = std::min(frame_size - pending_.size(), ciphertext.size());
    util::append(pending_, ciphertext.first(take));
    ciphertext = ciphertext.subspan(take);
    if (pending_.size() < frame_size) return {};
    auto status = open_frame(out, util::ByteView(pending_).subspan(kFrameHeaderSize));
    pending_.clear();
    if (!status.ok()) return status;
  }
  while (ciphertext.size() >= kFrameHeaderSize) {
    const size_t frame_size = kFrameHeaderSize + util::get_u16_be(ciphertext.data());
    if (ciphertext.size() < frame_size) break;
    EDGEVPN_TRY(
        open_frame(out, ciphertext.subspan(kFrameHeaderSize, frame_size - kFrameHeaderSize)));
    ciphertext = ciphertext.subspan(frame_size);
  }
  util::append(pending_, ciphertext);
  return {};
}

util::Result<size_t> TransportReceiver::open_in_place(std::span<uint8_t> buffer,
                                                      std::vector<util::ByteView>& plaintexts) {
  if (failed_) return util::make_error(util::Errc::kClosed, "noise receiver failed earlier");
  size_t used = 0;
  while (buffer.size() - used >= kFrameHeaderSize) {
    const size_t body = util::get_u16_be(buffer.data() + used);
    if (buffer.size() - used - kFrameHeaderSize < body) break;
    if (body < kTagSize) {
      failed_ = true;
      return util::make_error(util::Errc::kMalformed, "noise frame shorter than its tag");
    }
    const auto frame = buffer.subspan(used + kFrameHeaderSize, body);
    if (auto status = cipher_.decrypt_with_ad({}, frame, frame); !status.ok()) {
      failed_ = true;
      return status.error();
    }
    if (body > kTagSize) plaintexts.emplace_back(frame.data(), body - kTagSize);
    used += kFrameHeaderSize + body;
  }
  return used;
}

util::Result<util::Bytes> TransportReceiver::decrypt(util::ByteView ciphertext) {
  util::Bytes out;
  EDGEVPN_TRY(decrypt_into(out, ciphertext));
  return out;
}

}  // namespace edgevpn::p2p::noise
