// Tests for the libp2p Noise handshake payload encoding and its signature check.
#include "p2p/noise/noise_payload.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::noise {
namespace {

TEST(NoisePayload, RoundTripsWithExtensions) {
  HandshakePayload payload;
  payload.identity_key = {1, 2, 3};
  payload.identity_sig = {4, 5};
  payload.stream_muxers = {"/yamux/1.0.0"};
  auto decoded = decode_payload(encode_payload(payload));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->identity_key, payload.identity_key);
  EXPECT_EQ(decoded->identity_sig, payload.identity_sig);
  EXPECT_EQ(decoded->stream_muxers, payload.stream_muxers);
}

TEST(NoisePayload, EncodesFieldNumbersOfTheSpec) {
  HandshakePayload payload;
  payload.identity_key = {0xaa};
  payload.identity_sig = {0xbb};
  payload.stream_muxers = {"/m"};
  // identity_key = 1, identity_sig = 2, extensions = 4 { stream_muxers = 2 }.
  const util::Bytes expected = {0x0a, 1, 0xaa, 0x12, 1, 0xbb, 0x22, 4, 0x12, 2, '/', 'm'};
  EXPECT_EQ(encode_payload(payload), expected);
}

TEST(NoisePayload, RejectsGarbage) {
  const util::Bytes garbage = {0xff, 0xff, 0xff};
  auto decoded = decode_payload(garbage);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kMalformed);
}

TEST(NoisePayload, SignatureBindsIdentityToStaticKey) {
  const auto identity = crypto::PrivateKey::generate_ed25519();
  const DhKeyPair static_key = DhKeyPair::generate();
  const HandshakePayload payload = make_payload(identity, static_key.public_key, {});
  auto verified = verify_payload(payload, static_key.public_key);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->peer, crypto::PeerId::from_public_key(identity.public_key()));
  auto other = verify_payload(payload, DhKeyPair::generate().public_key);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, util::Errc::kCrypto);
}

}  // namespace
}  // namespace edgevpn::p2p::noise
