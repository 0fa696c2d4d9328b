#include "p2p/relay/relay_client.hpp"

#include <gtest/gtest.h>

#include "p2p/relay/relay_service.hpp"
#include "relay_vectors.hpp"

namespace edgevpn::p2p::relay {
namespace {

using namespace std::chrono_literals;
using testing::fixed_key;
using testing::fixed_peer;
using testing::vector_bytes;
using testing::vector_text;

const util::WallTime kVoucherExpiry = util::WallTime{} + std::chrono::seconds(1767225600);

Multiaddr addr(std::string_view text) {
  return *Multiaddr::parse(text);
}

HopMessage go_reservation_answer() {
  auto frame = read_hop_frame(vector_bytes("hop.reserve_ok.framed"));
  EXPECT_TRUE(frame.ok());
  return frame.ok() ? frame->message : HopMessage{};
}

TEST(RelayClientTest, RequestsAreTheSpecsMessages) {
  EXPECT_EQ(util::hex_encode(encode_framed(make_reserve_request())),
            vector_text("hop.reserve.framed"));
  EXPECT_EQ(util::hex_encode(encode_framed(make_connect_request(fixed_peer(2)))),
            vector_text("hop.connect.framed"));
}

TEST(RelayClientTest, ReadsGoLibp2psReservation) {
  auto answer = read_reserve_response(go_reservation_answer(), fixed_peer(1), fixed_peer(2),
                                      kVoucherExpiry - 1h);
  ASSERT_TRUE(answer.ok()) << answer.error().describe();
  EXPECT_EQ(answer->status, Status::kOk);
  ASSERT_TRUE(answer->reservation);
  EXPECT_EQ(answer->reservation->expiry, kVoucherExpiry);
  ASSERT_EQ(answer->reservation->relay_addrs.size(), 1u);
  EXPECT_EQ(answer->reservation->relay_addrs[0].to_string(),
            vector_text("hop.reserve_ok.relay_addr"));
  EXPECT_EQ(answer->reservation->limit, (Limit{120, 131072}));
  ASSERT_TRUE(answer->reservation->voucher);
  EXPECT_EQ(answer->reservation->voucher->peer, fixed_peer(2));
}

TEST(RelayClientTest, RefusesAReservationThatExpiredAlready) {
  auto answer = read_reserve_response(go_reservation_answer(), fixed_peer(1), fixed_peer(2),
                                      kVoucherExpiry + 1s);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, util::Errc::kMalformed);
}

TEST(RelayClientTest, RefusesAVoucherForAnotherPeerOrFromAnotherRelay) {
  const auto now = kVoucherExpiry - 1h;
  EXPECT_FALSE(
      read_reserve_response(go_reservation_answer(), fixed_peer(1), fixed_peer(3), now).ok());
  EXPECT_FALSE(
      read_reserve_response(go_reservation_answer(), fixed_peer(3), fixed_peer(2), now).ok());
}

TEST(RelayClientTest, RefusesAVoucherThatDoesNotOpen) {
  HopMessage answer = go_reservation_answer();
  answer.reservation->voucher->back() ^= 1;  // the signature's last byte
  auto read = read_reserve_response(answer, fixed_peer(1), fixed_peer(2), kVoucherExpiry - 1h);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find("voucher"), std::string::npos);
}

TEST(RelayClientTest, ARefusalIsAnAnswerWithItsStatus) {
  auto answer = read_reserve_response(hop_status(Status::kPermissionDenied), fixed_peer(1),
                                      fixed_peer(2), kVoucherExpiry);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->status, Status::kPermissionDenied);
  EXPECT_FALSE(answer->reservation);
}

TEST(RelayClientTest, AnOkWithoutReservationOrANonStatusIsMalformed) {
  EXPECT_EQ(
      read_reserve_response(hop_status(Status::kOk), fixed_peer(1), fixed_peer(2), kVoucherExpiry)
          .error()
          .code,
      util::Errc::kMalformed);
  EXPECT_EQ(
      read_reserve_response(make_reserve_request(), fixed_peer(1), fixed_peer(2), kVoucherExpiry)
          .error()
          .code,
      util::Errc::kMalformed);
  HopMessage no_status;
  no_status.type = HopType::kStatus;
  EXPECT_FALSE(read_connect_response(no_status).ok());
}

TEST(RelayClientTest, AReservationWithoutVoucherIsAccepted) {
  HopMessage answer = go_reservation_answer();
  answer.reservation->voucher.reset();
  auto read = read_reserve_response(answer, fixed_peer(1), fixed_peer(2), kVoucherExpiry - 1h);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  EXPECT_FALSE(read->reservation->voucher);
}

TEST(RelayClientTest, AConnectAnswerIsLimitedExactlyWhenItCarriesALimit) {
  HopMessage limited = hop_status(Status::kOk);
  limited.limit = Limit{120, 131072};
  auto answer = read_connect_response(limited);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->status, Status::kOk);
  EXPECT_EQ(answer->limit, (Limit{120, 131072}));
  auto unlimited = read_connect_response(hop_status(Status::kOk));
  ASSERT_TRUE(unlimited.ok());
  EXPECT_FALSE(unlimited->limit);
  auto refused = read_connect_response(hop_status(Status::kNoReservation));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, Status::kNoReservation);
}

TEST(RelayClientTest, AcceptsGoLibp2psStopConnect) {
  auto request = read_stop_frame(vector_bytes("stop.connect.framed"));
  ASSERT_TRUE(request.ok());
  const StopAnswer answer =
      answer_stop_request(util::Result<StopMessage>(std::move(request->message)));
  EXPECT_EQ(answer.reply, stop_status(Status::kOk));
  ASSERT_TRUE(answer.circuit);
  EXPECT_EQ(answer.circuit->source, fixed_peer(3));
  EXPECT_EQ(answer.circuit->limit, (Limit{120, 131072}));
}

TEST(RelayClientTest, StopRefusesMalformedAndUnexpectedRequests) {
  const auto undecodable = answer_stop_request(util::make_error(util::Errc::kMalformed, "x"));
  EXPECT_EQ(undecodable.reply, stop_status(Status::kMalformedMessage));
  EXPECT_FALSE(undecodable.circuit);
  const auto status = answer_stop_request(stop_status(Status::kOk));
  EXPECT_EQ(status.reply, stop_status(Status::kUnexpectedMessage));
  StopMessage no_peer;
  no_peer.type = StopType::kConnect;
  EXPECT_EQ(answer_stop_request(no_peer).reply, stop_status(Status::kMalformedMessage));
}

TEST(RelayClientTest, BuildsCircuitAddresses) {
  const auto relay = fixed_peer(1);
  const std::string relay_text = "/ip4/5.5.5.1/tcp/4001/p2p/" + relay.to_base58();
  EXPECT_EQ(circuit_address(addr("/ip4/5.5.5.1/tcp/4001"), relay)->to_string(),
            relay_text + "/p2p-circuit");
  EXPECT_EQ(circuit_address(addr(relay_text), relay)->to_string(), relay_text + "/p2p-circuit");
  EXPECT_FALSE(circuit_address(addr(relay_text), fixed_peer(2)));
  EXPECT_FALSE(circuit_address(addr(relay_text + "/p2p-circuit"), relay));
}

TEST(RelayClientTest, ParsesCircuitAddresses) {
  const std::string relay_text = "/ip4/5.5.5.1/tcp/4001/p2p/" + fixed_peer(1).to_base58();
  auto parsed =
      parse_circuit_address(addr(relay_text + "/p2p-circuit/p2p/" + fixed_peer(2).to_base58()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->relay_addr.to_string(), relay_text);
  EXPECT_EQ(parsed->relay, fixed_peer(1));
  EXPECT_EQ(parsed->target, fixed_peer(2));
  auto without_target = parse_circuit_address(addr(relay_text + "/p2p-circuit"));
  ASSERT_TRUE(without_target.ok());
  EXPECT_FALSE(without_target->target);
  EXPECT_FALSE(parse_circuit_address(addr(relay_text)).ok());
  EXPECT_FALSE(parse_circuit_address(addr("/ip4/5.5.5.1/tcp/4001/p2p-circuit")).ok());
  EXPECT_FALSE(parse_circuit_address(addr(relay_text + "/p2p-circuit/p2p/" +
                                          fixed_peer(2).to_base58() + "/p2p-circuit"))
                   .ok());
}

TEST(ReservationRefresherTest, RefreshesTwoMinutesBeforeExpiry) {
  ReservationRefresher refresher;
  const auto now = kVoucherExpiry - 1h;
  refresher.reserved(fixed_peer(1), kVoucherExpiry, now);
  EXPECT_EQ(refresher.refresh_at(fixed_peer(1)), kVoucherExpiry - 2min);
  EXPECT_EQ(refresher.next_deadline(), kVoucherExpiry - 2min);
  EXPECT_TRUE(refresher.due(kVoucherExpiry - 2min - 1s).empty());
  EXPECT_EQ(refresher.due(kVoucherExpiry - 2min), std::vector<crypto::PeerId>{fixed_peer(1)});
  refresher.reserved(fixed_peer(1), kVoucherExpiry + 1h, kVoucherExpiry - 2min);
  EXPECT_EQ(refresher.next_deadline(), kVoucherExpiry + 58min);
}

TEST(ReservationRefresherTest, AShortReservationIsRefreshedAtHalfItsLife) {
  ReservationRefresher refresher;
  const auto now = kVoucherExpiry - 1min;
  refresher.reserved(fixed_peer(1), kVoucherExpiry, now);
  EXPECT_EQ(refresher.refresh_at(fixed_peer(1)), kVoucherExpiry - 30s);
}

TEST(ReservationRefresherTest, ForgottenRelaysAreNotDue) {
  ReservationRefresher refresher;
  refresher.reserved(fixed_peer(1), kVoucherExpiry, kVoucherExpiry - 1h);
  refresher.reserved(fixed_peer(2), kVoucherExpiry + 10min, kVoucherExpiry - 1h);
  refresher.forget(fixed_peer(1));
  EXPECT_EQ(refresher.size(), 1u);
  EXPECT_TRUE(refresher.due(kVoucherExpiry).empty());
  EXPECT_EQ(refresher.next_deadline(), kVoucherExpiry + 8min);
}

// A reservation and a circuit from end to end: client, relay and initiator talk through the
// encoded messages only.
TEST(RelayEndToEndTest, ReserveConnectAndStopThroughEncodedMessages) {
  Relay relay(fixed_key(1));
  relay.set_addrs({addr("/ip4/5.5.5.1/tcp/4001")});
  const auto now = kVoucherExpiry - 1h;
  const Requester client{fixed_peer(2), addr("/ip4/5.5.5.2/tcp/4001")};
  const Requester initiator{fixed_peer(3), addr("/ip4/5.5.5.3/tcp/4001")};

  auto reserve = read_hop_frame(encode_framed(make_reserve_request()));
  ASSERT_TRUE(reserve.ok());
  const auto reserved = relay.handle_hop(reserve->message, client, now);
  auto answer = read_hop_frame(encode_framed(*reserved.reply));
  ASSERT_TRUE(answer.ok());
  auto reservation = read_reserve_response(answer->message, fixed_peer(1), fixed_peer(2), now);
  ASSERT_TRUE(reservation.ok()) << reservation.error().describe();
  EXPECT_EQ(reservation->reservation->expiry, kVoucherExpiry);
  EXPECT_EQ(circuit_address(reservation->reservation->relay_addrs[0], fixed_peer(1))->to_string(),
            "/ip4/5.5.5.1/tcp/4001/p2p/" + fixed_peer(1).to_base58() + "/p2p-circuit");

  auto connect = read_hop_frame(encode_framed(make_connect_request(fixed_peer(2))));
  ASSERT_TRUE(connect.ok());
  const auto pending = relay.handle_hop(connect->message, initiator, now);
  ASSERT_EQ(pending.kind, HopOutcome::Kind::kCircuitPending);
  const StopAnswer stop = answer_stop_request(
      util::Result<StopMessage>(read_stop_frame(encode_framed(*pending.stop_request))->message));
  ASSERT_TRUE(stop.circuit);
  EXPECT_EQ(stop.circuit->source, fixed_peer(3));
  const auto opened = relay.on_stop_response(
      *pending.circuit, read_stop_frame(encode_framed(stop.reply))->message, now);
  auto connected = read_connect_response(read_hop_frame(encode_framed(opened.reply))->message);
  ASSERT_TRUE(connected.ok());
  EXPECT_EQ(connected->status, Status::kOk);
  EXPECT_EQ(connected->limit, (Limit{120, 131072}));
}

}  // namespace
}  // namespace edgevpn::p2p::relay
