#include "p2p/record/signed_peer_record.hpp"

#include <gtest/gtest.h>

#include "peer_record.pb.h"  // protobuf_generate writes generated headers flat
#include "util/varint.hpp"

namespace edgevpn::p2p::record {
namespace {

std::vector<Multiaddr> addrs() {
  return {*Multiaddr::parse("/ip4/10.77.0.1/tcp/4001"), *Multiaddr::parse("/ip6/fd00::1/tcp/4001")};
}

TEST(SignedPeerRecordTest, OpensWhatItSeals) {
  const auto key = crypto::PrivateKey::generate_ed25519();
  const auto sealed = seal_peer_record(key, 7, addrs());
  auto record = open_signed_peer_record(sealed);
  ASSERT_TRUE(record.ok()) << record.error().describe();
  EXPECT_EQ(record->peer, crypto::PeerId::from_public_key(key.public_key()));
  EXPECT_EQ(record->seq, 7u);
  ASSERT_EQ(record->addrs.size(), 2u);
  EXPECT_EQ(record->addrs[1].to_string(), "/ip6/fd00::1/tcp/4001");
}

TEST(SignedPeerRecordTest, EnvelopeCarriesTheSpecsPayloadTypeAndDomainSeparatedSignature) {
  const auto key = crypto::PrivateKey::generate_ed25519();
  pb::Envelope envelope;
  const auto sealed = seal_peer_record(key, 1, addrs());
  ASSERT_TRUE(envelope.ParseFromArray(sealed.data(), static_cast<int>(sealed.size())));
  EXPECT_EQ(envelope.payload_type(), std::string("\x81\x06", 2));
  // The signature covers varint-prefixed "libp2p-peer-record", payload type and payload.
  util::Bytes covered;
  covered.push_back(18);
  for (char c : std::string("libp2p-peer-record")) covered.push_back(static_cast<uint8_t>(c));
  covered.push_back(2);
  covered.push_back(0x81);
  covered.push_back(0x06);
  ASSERT_LT(envelope.payload().size(), 128u);
  covered.push_back(static_cast<uint8_t>(envelope.payload().size()));
  covered.insert(covered.end(), envelope.payload().begin(), envelope.payload().end());
  EXPECT_TRUE(key.public_key().verify(covered, util::as_bytes(envelope.signature())));
}

TEST(SignedPeerRecordTest, RejectsATamperedRecord) {
  const auto key = crypto::PrivateKey::generate_ed25519();
  pb::Envelope envelope;
  const auto sealed = seal_peer_record(key, 1, addrs());
  ASSERT_TRUE(envelope.ParseFromArray(sealed.data(), static_cast<int>(sealed.size())));
  std::string payload = envelope.payload();
  payload.back() ^= 1;
  envelope.set_payload(payload);
  const std::string tampered = envelope.SerializeAsString();
  auto record = open_signed_peer_record(util::as_bytes(tampered));
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code, util::Errc::kCrypto);
}

TEST(SignedPeerRecordTest, RejectsARecordSignedByAnotherPeer) {
  const auto owner = crypto::PrivateKey::generate_ed25519();
  const auto forger = crypto::PrivateKey::generate_ed25519();
  // The forger signs a record that names the owner's peer ID.
  pb::Envelope envelope;
  const auto sealed = seal_peer_record(forger, 1, addrs());
  ASSERT_TRUE(envelope.ParseFromArray(sealed.data(), static_cast<int>(sealed.size())));
  pb::PeerRecord record;
  ASSERT_TRUE(record.ParseFromString(envelope.payload()));
  record.set_peer_id(util::to_string(crypto::PeerId::from_public_key(owner.public_key()).bytes()));
  const std::string payload = record.SerializeAsString();
  util::Bytes covered;
  util::put_uvarint(covered, 18);
  util::append(covered, util::as_bytes("libp2p-peer-record"));
  util::put_uvarint(covered, 2);
  covered.push_back(0x81);
  covered.push_back(0x06);
  util::put_uvarint(covered, payload.size());
  util::append(covered, util::as_bytes(payload));
  const auto signature = forger.sign(covered);
  envelope.set_payload(payload);
  envelope.set_signature(std::string(signature.begin(), signature.end()));
  auto opened = open_signed_peer_record(util::as_bytes(envelope.SerializeAsString()));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kCrypto);
}

TEST(SignedPeerRecordTest, RejectsGarbageAndOtherPayloads) {
  const std::string garbage = "\xff\xff\xff\x01 not an envelope";
  EXPECT_FALSE(open_signed_peer_record(util::as_bytes(garbage)).ok());
  EXPECT_FALSE(open_signed_peer_record({}).ok());
  const auto key = crypto::PrivateKey::generate_ed25519();
  pb::Envelope envelope;
  const auto sealed = seal_peer_record(key, 1, addrs());
  ASSERT_TRUE(envelope.ParseFromArray(sealed.data(), static_cast<int>(sealed.size())));
  envelope.set_payload_type("\x03\x01");
  auto opened = open_signed_peer_record(util::as_bytes(envelope.SerializeAsString()));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kUnsupported);
}

}  // namespace
}  // namespace edgevpn::p2p::record
