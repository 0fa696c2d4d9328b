#include "p2p/relay/relay_message.hpp"

#include <gtest/gtest.h>

#include "circuit.pb.h"  // protobuf_generate writes generated headers flat
#include "relay_vectors.hpp"
#include "util/varint.hpp"

namespace edgevpn::p2p::relay {
namespace {

using testing::fixed_peer;
using testing::vector_bytes;
using testing::vector_text;

Multiaddr addr(std::string_view text) {
  return *Multiaddr::parse(text);
}

HopMessage reservation_ok() {
  HopMessage message = hop_status(Status::kOk);
  message.reservation =
      Reservation{1767225600,
                  {addr("/ip4/5.5.5.1/tcp/4001/p2p/" + fixed_peer(1).to_base58())},
                  util::Bytes{1, 2, 3}};
  message.limit = Limit{120, 131072};
  return message;
}

TEST(RelayMessageTest, HopMessageRoundTrips) {
  const HopMessage message = reservation_ok();
  auto decoded = decode_hop(encode(message));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, message);
  EXPECT_EQ(decoded->reservation->expire_unix, 1767225600u);
  EXPECT_EQ(decoded->limit->data_bytes, 131072u);
}

TEST(RelayMessageTest, StopMessageRoundTrips) {
  StopMessage message;
  message.type = StopType::kConnect;
  message.peer = PeerInfo{fixed_peer(3), {addr("/ip4/5.5.5.3/tcp/1")}};
  message.limit = Limit{0, 7};
  auto decoded = decode_stop(encode(message));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, message);
}

TEST(RelayMessageTest, DecodesGoLibp2psReservationAnswer) {
  auto frame = read_hop_frame(vector_bytes("hop.reserve_ok.framed"));
  ASSERT_TRUE(frame.ok()) << frame.error().describe();
  const HopMessage& message = frame->message;
  EXPECT_EQ(message.type, HopType::kStatus);
  EXPECT_EQ(message.status, Status::kOk);
  ASSERT_TRUE(message.reservation);
  EXPECT_EQ(message.reservation->expire_unix, 1767225600u);
  ASSERT_EQ(message.reservation->addrs.size(), 1u);
  EXPECT_EQ(message.reservation->addrs[0].to_string(), vector_text("hop.reserve_ok.relay_addr"));
  EXPECT_EQ(message.reservation->voucher, vector_bytes("voucher.envelope"));
  EXPECT_EQ(message.limit, (Limit{120, 131072}));
}

TEST(RelayMessageTest, EncodesTheSameBytesAsGoLibp2p) {
  HopMessage reserve_ok = hop_status(Status::kOk);
  reserve_ok.reservation = Reservation{1767225600,
                                       {addr(vector_text("hop.reserve_ok.relay_addr"))},
                                       vector_bytes("voucher.envelope")};
  reserve_ok.limit = Limit{120, 131072};
  EXPECT_EQ(util::hex_encode(encode_framed(reserve_ok)), vector_text("hop.reserve_ok.framed"));

  HopMessage reserve;
  reserve.type = HopType::kReserve;
  EXPECT_EQ(util::hex_encode(encode_framed(reserve)), vector_text("hop.reserve.framed"));

  HopMessage connect;
  connect.type = HopType::kConnect;
  connect.peer = PeerInfo{fixed_peer(2), {}};
  EXPECT_EQ(util::hex_encode(encode_framed(connect)), vector_text("hop.connect.framed"));

  EXPECT_EQ(util::hex_encode(encode_framed(hop_status(Status::kNoReservation))),
            vector_text("hop.no_reservation.framed"));

  StopMessage stop;
  stop.type = StopType::kConnect;
  stop.peer = PeerInfo{fixed_peer(3), {}};
  stop.limit = Limit{120, 131072};
  EXPECT_EQ(util::hex_encode(encode_framed(stop)), vector_text("stop.connect.framed"));
}

TEST(RelayMessageTest, DecodesGoLibp2psStopConnectAndRefusal) {
  auto stop = read_stop_frame(vector_bytes("stop.connect.framed"));
  ASSERT_TRUE(stop.ok()) << stop.error().describe();
  EXPECT_EQ(stop->message.type, StopType::kConnect);
  EXPECT_EQ(stop->message.peer->id.to_base58(), vector_text("initiator.peer_id"));
  auto refusal = read_hop_frame(vector_bytes("hop.no_reservation.framed"));
  ASSERT_TRUE(refusal.ok());
  EXPECT_EQ(refusal->message.status, Status::kNoReservation);
}

TEST(RelayMessageTest, FrameLeavesTheRelayedBytesThatFollowIt) {
  util::Bytes stream = encode_framed(hop_status(Status::kOk));
  const size_t message_size = stream.size();
  stream.insert(stream.end(), {0xde, 0xad});  // the first bytes of the relayed connection
  auto frame = read_hop_frame(stream);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->consumed, message_size);
  EXPECT_EQ(frame->message.status, Status::kOk);
}

TEST(RelayMessageTest, AsksForMoreBytesWhileTheMessageIsIncomplete) {
  const util::Bytes stream = encode_framed(reservation_ok());
  for (size_t cut : {size_t{0}, size_t{1}, stream.size() / 2, stream.size() - 1}) {
    auto frame = read_hop_frame(util::ByteView(stream).first(cut));
    ASSERT_FALSE(frame.ok()) << cut;
    EXPECT_EQ(frame.error().code, util::Errc::kTruncated) << cut;
  }
}

TEST(RelayMessageTest, RefusesALengthPrefixOver4KiBBeforeTheBodyArrives) {
  util::Bytes prefix;
  util::put_uvarint(prefix, kMaxMessageSize + 1);
  auto frame = read_hop_frame(prefix);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().code, util::Errc::kTooLarge);
  util::Bytes at_limit;
  util::put_uvarint(at_limit, kMaxMessageSize);
  EXPECT_EQ(read_hop_frame(at_limit).error().code, util::Errc::kTruncated);
}

TEST(RelayMessageTest, RefusesAMessageWithoutAType) {
  pb::HopMessage message;
  message.set_status(pb::OK);
  auto decoded = decode_hop(util::as_bytes(message.SerializeAsString()));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kMalformed);
  EXPECT_NE(decoded.error().message.find("type"), std::string::npos);
}

TEST(RelayMessageTest, RefusesATypeTheSpecDoesNotDefine) {
  // field 1 (varint) = 7
  const util::Bytes wire = {0x08, 0x07};
  EXPECT_EQ(decode_hop(wire).error().code, util::Errc::kMalformed);
  EXPECT_EQ(decode_stop(wire).error().code, util::Errc::kMalformed);
}

TEST(RelayMessageTest, RefusesAPeerWithAnInvalidId) {
  pb::HopMessage message;
  message.set_type(pb::HopMessage::CONNECT);
  message.mutable_peer()->set_id("not a multihash");
  auto decoded = decode_hop(util::as_bytes(message.SerializeAsString()));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kMalformed);
}

TEST(RelayMessageTest, DropsAddressesThatDoNotParseAsGoDoes) {
  pb::StopMessage message;
  message.set_type(pb::StopMessage::CONNECT);
  message.mutable_peer()->set_id(util::to_string(fixed_peer(2).bytes()));
  message.mutable_peer()->add_addrs("\xff\xff");
  message.mutable_peer()->add_addrs(util::to_string(addr("/ip4/5.5.5.2/tcp/4001").bytes()));
  auto decoded = decode_stop(util::as_bytes(message.SerializeAsString()));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  ASSERT_EQ(decoded->peer->addrs.size(), 1u);
  EXPECT_EQ(decoded->peer->addrs[0].to_string(), "/ip4/5.5.5.2/tcp/4001");
}

TEST(RelayMessageTest, AnUnknownStatusCodeDecodesAsNoStatus) {
  // type = STATUS, status (field 5) = 205
  const util::Bytes wire = {0x08, 0x02, 0x28, 0xcd, 0x01};
  auto decoded = decode_hop(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->type, HopType::kStatus);
  EXPECT_FALSE(decoded->status.has_value());
}

TEST(RelayMessageTest, RefusesABareMessageOver4KiB) {
  const util::Bytes big(kMaxMessageSize + 1, 0);
  EXPECT_EQ(decode_hop(big).error().code, util::Errc::kTooLarge);
}

TEST(RelayMessageTest, NamesStatusCodesAsTheSpecDoes) {
  EXPECT_EQ(status_name(Status::kResourceLimitExceeded), "RESOURCE_LIMIT_EXCEEDED");
  EXPECT_EQ(static_cast<uint32_t>(Status::kUnexpectedMessage), 401u);
  EXPECT_EQ(status_name(static_cast<Status>(5)), "UNKNOWN");
}

TEST(RelayMessageTest, RecognisesRelayAddresses) {
  EXPECT_TRUE(is_relay_address(
      addr("/ip4/5.5.5.1/tcp/1/p2p/" + fixed_peer(1).to_base58() + "/p2p-circuit")));
  EXPECT_FALSE(is_relay_address(addr("/ip4/5.5.5.1/tcp/1")));
}

}  // namespace
}  // namespace edgevpn::p2p::relay
