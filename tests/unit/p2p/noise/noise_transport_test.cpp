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

TEST(NoiseTransport, SplitsLargePlaintextIntoMaximalFrames) {
  Pair pair;
  const util::Bytes plaintext = pattern(kMaxFramePlaintext * 2 + 100);
  auto wire = pair.sender.encrypt(plaintext);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire->size(), encrypted_size(plaintext.size()));
  EXPECT_EQ(util::get_u16_be(wire->data()), 65535);
  EXPECT_EQ(pair.sender.nonce(), 3u);
  auto opened = pair.receiver.decrypt(*wire);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plaintext);
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
