// Tests for the libp2p Noise handshake between in-memory peers with real Ed25519 identities.
#include "p2p/noise/noise_handshake.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::noise {
namespace {

using crypto::PeerId;
using crypto::PrivateKey;

// Moves bytes between the two sides until both are done or one fails.
void pump(Handshake& initiator, Handshake& responder) {
  for (int round = 0; round < 10 && !(initiator.done() && responder.done()); ++round) {
    if (auto out = initiator.take_output(); !out.empty()) {
      if (!responder.feed(out).ok()) return;
    }
    if (auto out = responder.take_output(); !out.empty()) {
      if (!initiator.feed(out).ok()) return;
    }
  }
}

util::Bytes frame(util::ByteView message) {
  util::Bytes out;
  util::put_u16_be(out, static_cast<uint16_t>(message.size()));
  util::append(out, message);
  return out;
}

util::Bytes pattern(size_t size) {
  util::Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(i * 13 + 1);
  return out;
}

struct Peers {
  PrivateKey initiator_key = PrivateKey::generate_ed25519();
  PrivateKey responder_key = PrivateKey::generate_ed25519();
  PeerId initiator_id = PeerId::from_public_key(initiator_key.public_key());
  PeerId responder_id = PeerId::from_public_key(responder_key.public_key());
};

TEST(NoiseHandshake, AuthenticatesBothPeersAndCarriesDataBothWays) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key, peers.responder_id);
  Handshake responder(Role::kResponder, peers.responder_key);
  pump(initiator, responder);
  ASSERT_TRUE(initiator.done());
  ASSERT_TRUE(responder.done());
  auto client = initiator.take_session();
  auto server = responder.take_session();
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(client->remote_peer, peers.responder_id);
  EXPECT_EQ(server->remote_peer, peers.initiator_id);
  EXPECT_EQ(client->remote_key, peers.responder_key.public_key());
  EXPECT_EQ(server->remote_key, peers.initiator_key.public_key());
  EXPECT_EQ(client->handshake_hash, server->handshake_hash);
  EXPECT_FALSE(client->early_muxer.has_value());

  auto ping = client->transport.encrypt(util::to_bytes("ping"));
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(util::to_string(*server->transport.decrypt(*ping)), "ping");
  auto pong = server->transport.encrypt(util::to_bytes("pong"));
  EXPECT_EQ(util::to_string(*client->transport.decrypt(*pong)), "pong");

  const util::Bytes big = pattern(200000);
  auto wire = client->transport.encrypt(big);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire->size(), encrypted_size(big.size()));
  auto received = server->transport.decrypt(*wire);
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(*received, big);

  EXPECT_FALSE(initiator.take_session().ok());  // only once
}

TEST(NoiseHandshake, HandshakeMessagesHaveSpecSizes) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  Handshake responder(Role::kResponder, peers.responder_key);
  const util::Bytes first = initiator.take_output();
  ASSERT_EQ(first.size(), 2u + 32u);
  EXPECT_EQ(util::get_u16_be(first.data()), 32);
  ASSERT_TRUE(responder.feed(first).ok());
  const util::Bytes second = responder.take_output();
  EXPECT_EQ(util::get_u16_be(second.data()) + 2u, second.size());
  EXPECT_GT(second.size(), 2u + 32u + 48u + 16u);
}

TEST(NoiseHandshake, WorksWithOneByteFeeds) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key, peers.responder_id);
  Handshake responder(Role::kResponder, peers.responder_key, peers.initiator_id);
  for (int round = 0; round < 4; ++round) {
    for (uint8_t b : initiator.take_output())
      ASSERT_TRUE(responder.feed(util::ByteView(&b, 1)).ok());
    for (uint8_t b : responder.take_output())
      ASSERT_TRUE(initiator.feed(util::ByteView(&b, 1)).ok());
  }
  ASSERT_TRUE(initiator.done());
  ASSERT_TRUE(responder.done());
  auto client = initiator.take_session();
  auto server = responder.take_session();
  const util::Bytes wire = *client->transport.encrypt(util::to_bytes("chunked"));
  util::Bytes plaintext;
  for (uint8_t b : wire) {
    ASSERT_TRUE(server->transport.decrypt_into(plaintext, util::ByteView(&b, 1)).ok());
  }
  EXPECT_EQ(util::to_string(plaintext), "chunked");
}

TEST(NoiseHandshake, TruncatedFrameWaitsForMoreBytes) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  Handshake responder(Role::kResponder, peers.responder_key);
  const util::Bytes first = initiator.take_output();
  ASSERT_TRUE(responder.feed(util::ByteView(first).first(10)).ok());
  EXPECT_TRUE(responder.take_output().empty());
  ASSERT_TRUE(responder.feed(util::ByteView(first).subspan(10)).ok());
  EXPECT_FALSE(responder.take_output().empty());
}

TEST(NoiseHandshake, TransportDataInSameSegmentAsLastMessageIsLeftover) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  Handshake responder(Role::kResponder, peers.responder_key);
  ASSERT_TRUE(responder.feed(initiator.take_output()).ok());
  ASSERT_TRUE(initiator.feed(responder.take_output()).ok());
  ASSERT_TRUE(initiator.done());
  auto client = initiator.take_session();
  util::Bytes segment = initiator.take_output();
  ASSERT_TRUE(client->transport.encrypt_into(segment, util::to_bytes("early data")).ok());
  ASSERT_TRUE(responder.feed(segment).ok());
  ASSERT_TRUE(responder.done());
  auto server = responder.take_session();
  auto data = server->transport.decrypt(responder.take_leftover());
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(util::to_string(*data), "early data");
}

TEST(NoiseHandshake, WrongExpectedPeerFailsBeforeThirdMessage) {
  Peers peers;
  const PeerId someone_else = PeerId::from_public_key(PrivateKey::generate_ed25519().public_key());
  Handshake initiator(Role::kInitiator, peers.initiator_key, someone_else);
  Handshake responder(Role::kResponder, peers.responder_key);
  ASSERT_TRUE(responder.feed(initiator.take_output()).ok());
  auto status = initiator.feed(responder.take_output());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kCrypto);
  EXPECT_NE(status.error().message.find(someone_else.to_base58()), std::string::npos);
  EXPECT_TRUE(initiator.failed());
  EXPECT_FALSE(initiator.done());
  EXPECT_TRUE(initiator.take_output().empty());
  EXPECT_FALSE(initiator.feed(util::Bytes{0}).ok());
}

TEST(NoiseHandshake, ResponderChecksExpectedInitiator) {
  Peers peers;
  const PeerId someone_else = PeerId::from_public_key(PrivateKey::generate_ed25519().public_key());
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  Handshake responder(Role::kResponder, peers.responder_key, someone_else);
  pump(initiator, responder);
  EXPECT_TRUE(initiator.done());
  EXPECT_TRUE(responder.failed());
  EXPECT_FALSE(responder.take_session().ok());
}

TEST(NoiseHandshake, SignatureOverAnotherStaticKeyIsRejected) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  // A responder that signs a static key other than the one it uses.
  HandshakeState forger(false, {}, DhKeyPair::generate());
  const util::Bytes first = initiator.take_output();
  ASSERT_TRUE(forger.read_message(util::ByteView(first).subspan(2)).ok());
  const auto payload = make_payload(peers.responder_key, DhKeyPair::generate().public_key, {});
  const util::Bytes second = *forger.write_message(encode_payload(payload));
  auto status = initiator.feed(frame(second));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kCrypto);
  EXPECT_TRUE(initiator.failed());
}

TEST(NoiseHandshake, InitiatorWithBadSignatureIsRejectedByResponder) {
  Peers peers;
  Handshake responder(Role::kResponder, peers.responder_key);
  HandshakeState forger(true, {}, DhKeyPair::generate());
  ASSERT_TRUE(responder.feed(frame(*forger.write_message({}))).ok());
  const util::Bytes second = responder.take_output();
  ASSERT_TRUE(forger.read_message(util::ByteView(second).subspan(2)).ok());
  auto payload = make_payload(peers.initiator_key, forger.local_static().public_key, {});
  payload.identity_sig[0] ^= 0x01;
  auto status = responder.feed(frame(*forger.write_message(encode_payload(payload))));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kCrypto);
}

TEST(NoiseHandshake, PayloadWithoutIdentityKeyIsRejected) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  HandshakeState responder(false, {}, DhKeyPair::generate());
  ASSERT_TRUE(responder.read_message(util::ByteView(initiator.take_output()).subspan(2)).ok());
  auto status = initiator.feed(frame(*responder.write_message({})));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kProtocol);
}

TEST(NoiseHandshake, TamperedSecondMessageIsRejected) {
  Peers peers;
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  Handshake responder(Role::kResponder, peers.responder_key);
  ASSERT_TRUE(responder.feed(initiator.take_output()).ok());
  util::Bytes second = responder.take_output();
  second.back() ^= 0x80;
  auto status = initiator.feed(second);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kCrypto);
}

TEST(NoiseHandshake, NegotiatesEarlyMuxerWhenBothAdvertise) {
  Peers peers;
  HandshakeOptions client_options;
  client_options.stream_muxers = {"/yamux/1.0.0", "/mplex/6.7.0"};
  HandshakeOptions server_options;
  server_options.stream_muxers = {"/mplex/6.7.0", "/yamux/1.0.0"};
  Handshake initiator(Role::kInitiator, peers.initiator_key, std::nullopt, client_options);
  Handshake responder(Role::kResponder, peers.responder_key, std::nullopt, server_options);
  pump(initiator, responder);
  auto client = initiator.take_session();
  auto server = responder.take_session();
  ASSERT_TRUE(client.ok() && server.ok());
  EXPECT_EQ(client->early_muxer, "/yamux/1.0.0");
  EXPECT_EQ(server->early_muxer, "/yamux/1.0.0");
  EXPECT_EQ(server->remote_stream_muxers, client_options.stream_muxers);
}

TEST(NoiseHandshake, NoEarlyMuxerWhenOnlyOneSideAdvertises) {
  Peers peers;
  HandshakeOptions options;
  options.stream_muxers = {"/yamux/1.0.0"};
  Handshake initiator(Role::kInitiator, peers.initiator_key);
  Handshake responder(Role::kResponder, peers.responder_key, std::nullopt, options);
  pump(initiator, responder);
  auto client = initiator.take_session();
  ASSERT_TRUE(client.ok());
  EXPECT_FALSE(client->early_muxer.has_value());
  EXPECT_EQ(client->remote_stream_muxers, options.stream_muxers);
}

TEST(NoiseHandshake, InjectedKeysGiveReproducibleFirstMessage) {
  Peers peers;
  HandshakeOptions options;
  options.ephemeral_key = DhKeyPair::from_private(DhKey{1, 2, 3});
  Handshake a(Role::kInitiator, peers.initiator_key, std::nullopt, options);
  Handshake b(Role::kInitiator, peers.initiator_key, std::nullopt, options);
  const util::Bytes first = a.take_output();
  EXPECT_EQ(first, b.take_output());
  EXPECT_TRUE(std::equal(options.ephemeral_key->public_key.begin(),
                         options.ephemeral_key->public_key.end(), first.begin() + 2));
}

}  // namespace
}  // namespace edgevpn::p2p::noise
