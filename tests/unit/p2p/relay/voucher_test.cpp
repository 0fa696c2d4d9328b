#include "p2p/relay/voucher.hpp"

#include <gtest/gtest.h>

#include "circuit.pb.h"      // protobuf_generate writes generated headers flat
#include "peer_record.pb.h"  // the envelope
#include "relay_vectors.hpp"

namespace edgevpn::p2p::relay {
namespace {

using testing::fixed_key;
using testing::fixed_peer;
using testing::vector_bytes;
using testing::vector_text;

ReservationVoucher go_voucher() {
  return ReservationVoucher{fixed_peer(1), fixed_peer(2), 1767225600};
}

TEST(VoucherTest, OpensAVoucherSealedByGoLibp2p) {
  auto voucher = open_voucher(vector_bytes("voucher.envelope"));
  ASSERT_TRUE(voucher.ok()) << voucher.error().describe();
  EXPECT_EQ(voucher->relay.to_base58(), vector_text("relay.peer_id"));
  EXPECT_EQ(voucher->peer.to_base58(), vector_text("client.peer_id"));
  EXPECT_EQ(voucher->expiration_unix, 1767225600u);
}

TEST(VoucherTest, SealsTheSameBytesAsGoLibp2p) {
  // Ed25519 signatures are deterministic and the payload canonical: byte-identical envelopes.
  EXPECT_EQ(util::hex_encode(seal_voucher(fixed_key(1), go_voucher())),
            vector_text("voucher.envelope"));
}

TEST(VoucherTest, OpensWhatItSeals) {
  const auto relay_key = crypto::PrivateKey::generate_ed25519();
  const ReservationVoucher voucher{crypto::PeerId::from_public_key(relay_key.public_key()),
                                   fixed_peer(2), 42};
  auto opened = open_voucher(seal_voucher(relay_key, voucher));
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, voucher);
}

TEST(VoucherTest, UsesTheRelayRsvpDomainAndPayloadType) {
  record::pb::Envelope envelope;
  const auto sealed = seal_voucher(fixed_key(1), go_voucher());
  ASSERT_TRUE(envelope.ParseFromArray(sealed.data(), static_cast<int>(sealed.size())));
  EXPECT_EQ(envelope.payload_type(), std::string("\x03\x02", 2));
  util::Bytes covered;
  covered.push_back(17);
  for (char c : std::string("libp2p-relay-rsvp")) covered.push_back(static_cast<uint8_t>(c));
  covered.insert(covered.end(), {2, 0x03, 0x02});
  ASSERT_LT(envelope.payload().size(), 128u);
  covered.push_back(static_cast<uint8_t>(envelope.payload().size()));
  covered.insert(covered.end(), envelope.payload().begin(), envelope.payload().end());
  EXPECT_TRUE(fixed_key(1).public_key().verify(covered, util::as_bytes(envelope.signature())));
}

TEST(VoucherTest, RejectsATamperedExpiration) {
  record::pb::Envelope envelope;
  const auto sealed = seal_voucher(fixed_key(1), go_voucher());
  ASSERT_TRUE(envelope.ParseFromArray(sealed.data(), static_cast<int>(sealed.size())));
  pb::ReservationVoucher payload;
  ASSERT_TRUE(payload.ParseFromString(envelope.payload()));
  payload.set_expiration(payload.expiration() + 3600);
  envelope.set_payload(payload.SerializeAsString());
  const std::string tampered = envelope.SerializeAsString();
  auto opened = open_voucher(util::as_bytes(tampered));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kCrypto);
}

TEST(VoucherTest, RejectsAVoucherSignedByAnotherKeyThanItsRelay) {
  // Peer 3 signs a voucher that claims relay 1 serves peer 2.
  auto opened = open_voucher(seal_voucher(fixed_key(3), go_voucher()));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, util::Errc::kCrypto);
}

TEST(VoucherTest, RejectsAnotherPayloadType) {
  record::pb::Envelope envelope;
  const auto sealed = seal_voucher(fixed_key(1), go_voucher());
  ASSERT_TRUE(envelope.ParseFromArray(sealed.data(), static_cast<int>(sealed.size())));
  envelope.set_payload_type(std::string("\x81\x06", 2));  // a peer record
  const std::string other = envelope.SerializeAsString();
  EXPECT_EQ(open_voucher(util::as_bytes(other)).error().code, util::Errc::kUnsupported);
}

TEST(VoucherTest, RejectsBytesThatAreNoEnvelope) {
  const util::Bytes garbage = {0xff, 0xff, 0xff};
  EXPECT_EQ(open_voucher(garbage).error().code, util::Errc::kMalformed);
}

}  // namespace
}  // namespace edgevpn::p2p::relay
