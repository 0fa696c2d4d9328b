// Tests for the Noise transport: framing, splitting, chunked input, tampering and nonce limits.
#include "p2p/noise/noise_transport.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <limits>

namespace edgevpn::p2p::noise {
namespace {

CipherKey key(uint8_t fill) {
  CipherKey k;
  k.fill(fill);
  return k;
}

struct Pair {
  TransportSender sender{CipherState(key(7))};
  TransportReceiver receiver{CipherState(key(7))};
};

util::Bytes pattern(size_t size) {
  util::Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 31 + 7);
  return out;
}

TEST(NoiseTransport, RoundTripsOneFrameWithLengthPrefix) {
  Pair pair;
  const util::Bytes plaintext = util::to_bytes("hello noise");
  auto wire = pair.sender.encrypt(plaintext);
  ASSERT_TRUE(wire.ok());
  ASSERT_EQ(wire->size(), 2 + plaintext.size() + kTagSize);
  EXPECT_EQ(util::get_u16_be(wire->data()), plaintext.size() + kTagSize);
  auto opened = pair.receiver.decrypt(*wire);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plaintext);
}

TEST(NoiseTransport, SplitsLargePlaintextIntoSendSizedFrames) {
  Pair pair;
  const util::Bytes plaintext = pattern(kSendFramePlaintext * 2 + 100);
  auto wire = pair.sender.encrypt(plaintext);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire->size(), encrypted_size(plaintext.size()));
  EXPECT_EQ(wire->size(), plaintext.size() + 3 * (2 + kTagSize));
  EXPECT_EQ(util::get_u16_be(wire->data()), kSendFramePlaintext + kTagSize);
  EXPECT_EQ(pair.sender.nonce(), 3u);
  auto opened = pair.receiver.decrypt(*wire);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plaintext);
}

// Go and js peers send frames of up to 65535 bytes; we must take them whole.
TEST(NoiseTransport, OpensMaximalFramesFromOtherImplementations) {
  CipherState go_side(key(7));
  const util::Bytes plaintext = pattern(kMaxFramePlaintext);
  util::Bytes wire(2 + kMaxMessageSize);
  wire[0] = 0xff;
  wire[1] = 0xff;
  ASSERT_TRUE(go_side.encrypt_with_ad({}, plaintext, std::span<uint8_t>(wire).subspan(2)).ok());
  TransportReceiver receiver{CipherState(key(7))};
  std::vector<util::ByteView> frames;
  auto used = receiver.open_in_place(wire, frames);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, wire.size());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(std::equal(frames[0].begin(), frames[0].end(), plaintext.begin(), plaintext.end()));
}

TEST(NoiseTransport, EncryptToRefusesAShortBufferAndFillsAnExactOne) {
  Pair pair;
  const util::Bytes plaintext = pattern(kSendFramePlaintext + 1);
  util::Bytes small(encrypted_size(plaintext.size()) - 1);
  EXPECT_FALSE(pair.sender.encrypt_to(small, plaintext).ok());
  EXPECT_EQ(pair.sender.nonce(), 0u);
  util::Bytes exact(encrypted_size(plaintext.size()));
  auto written = pair.sender.encrypt_to(exact, plaintext);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, exact.size());
  auto opened = pair.receiver.decrypt(exact);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plaintext);
}

TEST(NoiseTransport, OpenInPlaceLeavesAPartialFrameToTheCaller) {
  Pair pair;
  const util::Bytes first = pattern(1000);
  const util::Bytes second = pattern(kSendFramePlaintext + 7);
  util::Bytes wire = *pair.sender.encrypt(first);
  util::append(wire, *pair.sender.encrypt(second));
  const size_t first_frame = 2 + first.size() + kTagSize;
  // Everything up to the middle of the second message's first frame.
  util::Bytes buffer(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(first_frame + 500));
  std::vector<util::ByteView> frames;
  auto used = pair.receiver.open_in_place(buffer, frames);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, first_frame);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(util::Bytes(frames[0].begin(), frames[0].end()), first);
  // The caller offers the rest again with the remaining bytes.
  util::Bytes rest(wire.begin() + static_cast<std::ptrdiff_t>(first_frame), wire.end());
  frames.clear();
  used = pair.receiver.open_in_place(rest, frames);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, rest.size());
  util::Bytes joined;
  for (auto frame : frames) util::append(joined, frame);
  EXPECT_EQ(joined, second);
}

TEST(NoiseTransport, OpenInPlaceRejectsTamperingAndStaysFailed) {
  Pair pair;
  util::Bytes wire = *pair.sender.encrypt(pattern(64));
  wire[10] ^= 1;
  std::vector<util::ByteView> frames;
  auto used = pair.receiver.open_in_place(wire, frames);
  ASSERT_FALSE(used.ok());
  EXPECT_EQ(used.error().code, util::Errc::kCrypto);
  EXPECT_TRUE(frames.empty());
  EXPECT_TRUE(pair.receiver.failed());
  util::Bytes good = *pair.sender.encrypt(pattern(8));
  EXPECT_FALSE(pair.receiver.open_in_place(good, frames).ok());
}

TEST(NoiseTransport, PartialFrameMovesFromDecryptIntoToOpenInPlace) {
  Pair pair;
  const util::Bytes plaintext = pattern(300);
  const util::Bytes wire = *pair.sender.encrypt(plaintext);
  util::Bytes out;
  ASSERT_TRUE(pair.receiver.decrypt_into(out, util::ByteView(wire).first(100)).ok());
  EXPECT_TRUE(out.empty());
  util::Bytes buffer = pair.receiver.take_buffered();
  EXPECT_EQ(pair.receiver.buffered(), 0u);
  util::append(buffer, util::ByteView(wire).subspan(100));
  std::vector<util::ByteView> frames;
  auto used = pair.receiver.open_in_place(buffer, frames);
  ASSERT_TRUE(used.ok());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(util::Bytes(frames[0].begin(), frames[0].end()), plaintext);
}

TEST(NoiseTransport, EmptyPlaintextProducesNoFrame) {
  Pair pair;
  util::Bytes out = {1, 2};
  ASSERT_TRUE(pair.sender.encrypt_into(out, {}).ok());
  EXPECT_EQ(out, (util::Bytes{1, 2}));
  EXPECT_EQ(pair.sender.nonce(), 0u);
}

TEST(NoiseTransport, EncryptIntoAppendsToCallerBuffer) {
  Pair pair;
  util::Bytes out;
  const util::Bytes a = util::to_bytes("first");
  const util::Bytes b = util::to_bytes("second");
  ASSERT_TRUE(pair.sender.encrypt_into(out, a).ok());
  ASSERT_TRUE(pair.sender.encrypt_into(out, b).ok());
  auto opened = pair.receiver.decrypt(out);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(util::to_string(*opened), "firstsecond");
}

TEST(NoiseTransport, AcceptsOneByteAtATime) {
  Pair pair;
  util::Bytes wire;
  const util::Bytes big = pattern(70000);
  ASSERT_TRUE(pair.sender.encrypt_into(wire, util::to_bytes("abc")).ok());
  ASSERT_TRUE(pair.sender.encrypt_into(wire, big).ok());
  util::Bytes plaintext;
  for (uint8_t byte : wire) {
    ASSERT_TRUE(pair.receiver.decrypt_into(plaintext, util::ByteView(&byte, 1)).ok());
  }
  util::Bytes expected = util::to_bytes("abc");
  util::append(expected, big);
  EXPECT_EQ(plaintext, expected);
  EXPECT_EQ(pair.receiver.buffered(), 0u);
}

TEST(NoiseTransport, TruncatedFrameWaitsForTheRest) {
  Pair pair;
  const util::Bytes wire = *pair.sender.encrypt(util::to_bytes("payload"));
  const size_t cut = wire.size() - 3;
  auto first = pair.receiver.decrypt(util::ByteView(wire).first(cut));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->empty());
  EXPECT_EQ(pair.receiver.buffered(), cut);
  auto rest = pair.receiver.decrypt(util::ByteView(wire).subspan(cut));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(util::to_string(*rest), "payload");
}

TEST(NoiseTransport, TamperedCiphertextIsRejectedAndReceiverStaysFailed) {
  Pair pair;
  util::Bytes wire = *pair.sender.encrypt(util::to_bytes("payload"));
  wire[5] ^= 0x40;
  auto opened = pair.receiver.decrypt(wire);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kCrypto);
  EXPECT_TRUE(pair.receiver.failed());
  EXPECT_FALSE(pair.receiver.decrypt(*pair.sender.encrypt(util::to_bytes("x"))).ok());
}

TEST(NoiseTransport, ReorderedFramesFailAuthentication) {
  Pair pair;
  const util::Bytes first = *pair.sender.encrypt(util::to_bytes("one"));
  const util::Bytes second = *pair.sender.encrypt(util::to_bytes("two"));
  auto opened = pair.receiver.decrypt(second);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kCrypto);
}

TEST(NoiseTransport, WrongKeyIsRejected) {
  TransportSender sender{CipherState(key(1))};
  TransportReceiver receiver{CipherState(key(2))};
  EXPECT_FALSE(receiver.decrypt(*sender.encrypt(util::to_bytes("secret"))).ok());
}

TEST(NoiseTransport, FrameShorterThanTagIsMalformed) {
  Pair pair;
  const util::Bytes wire = {0x00, 0x03, 1, 2, 3};
  auto opened = pair.receiver.decrypt(wire);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kMalformed);
}

TEST(NoiseTransport, NonceExhaustionIsAnError) {
  Pair pair;
  constexpr uint64_t kLast = std::numeric_limits<uint64_t>::max() - 1;
  pair.sender.set_nonce_for_testing(kLast);
  pair.receiver.set_nonce_for_testing(kLast);
  auto wire = pair.sender.encrypt(util::to_bytes("last"));
  ASSERT_TRUE(wire.ok());
  auto opened = pair.receiver.decrypt(*wire);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(util::to_string(*opened), "last");

  util::Bytes out = {9};
  auto status = pair.sender.encrypt_into(out, util::to_bytes("too many"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kCrypto);
  EXPECT_EQ(out, util::Bytes{9});
}

TEST(NoiseTransport, NonceIsLittleEndianAfterFourZeroBytes) {
  TransportSender sender{CipherState(key(3))};
  sender.set_nonce_for_testing(0x0102030405060708);
  const util::Bytes plaintext = util::to_bytes("n");
  const util::Bytes wire = *sender.encrypt(plaintext);

  const uint8_t nonce[12] = {0, 0, 0, 0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  const CipherKey k = key(3);
  util::Bytes expected(plaintext.size() + kTagSize);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(expected.data(), &written, plaintext.data(),
                                            plaintext.size(), nullptr, 0, nullptr, nonce, k.data());
  EXPECT_EQ(util::ByteView(wire).subspan(2).size(), expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), wire.begin() + 2));
}

}  // namespace
}  // namespace edgevpn::p2p::noise
