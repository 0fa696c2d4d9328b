#include "p2p/relay/relay_service.hpp"

#include <gtest/gtest.h>

#include "p2p/relay/voucher.hpp"
#include "relay_vectors.hpp"

namespace edgevpn::p2p::relay {
namespace {

using namespace std::chrono_literals;
using testing::fixed_key;
using testing::fixed_peer;

const util::WallTime kStart = util::WallTime{} + std::chrono::seconds(1767225600);

Multiaddr addr(std::string_view text) {
  return *Multiaddr::parse(text);
}

crypto::PeerId random_peer() {
  return crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key());
}

Requester from(const crypto::PeerId& peer, std::string_view ip = "5.5.5.2") {
  return Requester{peer, addr("/ip4/" + std::string(ip) + "/tcp/4001")};
}

HopMessage reserve() {
  HopMessage request;
  request.type = HopType::kReserve;
  return request;
}

HopMessage connect_to(const crypto::PeerId& target) {
  HopMessage request;
  request.type = HopType::kConnect;
  request.peer = PeerInfo{target, {}};
  return request;
}

StopMessage stop_ok() {
  return stop_status(Status::kOk);
}

class RelayTest : public ::testing::Test {
 protected:
  Relay relay_{fixed_key(1)};
  const crypto::PeerId client_ = fixed_peer(2);
  const crypto::PeerId initiator_ = fixed_peer(3);

  CircuitId open_circuit(util::WallTime now = kStart) {
    EXPECT_EQ(relay_.handle_hop(reserve(), from(client_), now).kind, HopOutcome::Kind::kReserved);
    const auto pending = relay_.handle_hop(connect_to(client_), from(initiator_, "5.5.5.3"), now);
    EXPECT_EQ(pending.kind, HopOutcome::Kind::kCircuitPending);
    EXPECT_EQ(relay_.on_stop_response(*pending.circuit, stop_ok(), now).status, Status::kOk);
    return *pending.circuit;
  }
};

TEST(RelayResourcesTest, DefaultsAreGoLibp2psAndEdgeVpnsAsDocumented) {
  const RelayResources go;
  EXPECT_EQ(go.limit->duration, 2min);
  EXPECT_EQ(go.limit->data_bytes, 131072u);
  EXPECT_EQ(go.reservation_ttl, 1h);
  EXPECT_EQ(go.max_reservations, 128u);
  EXPECT_EQ(go.max_circuits, 16u);
  EXPECT_EQ(go.buffer_size, 2048u);
  EXPECT_EQ(go.max_reservations_per_ip, 8u);
  const auto edgevpn = RelayResources::edgevpn_defaults();
  EXPECT_EQ(edgevpn.limit->duration, 30min);
  EXPECT_EQ(edgevpn.limit->data_bytes, 1073741824u);
  EXPECT_EQ(edgevpn.max_circuits, 64u);
  EXPECT_EQ(edgevpn.buffer_size, 65536u);
  EXPECT_EQ(edgevpn.reservation_ttl, 1h);
  EXPECT_EQ(edgevpn.max_reservations, 128u);
}

TEST_F(RelayTest, ReservesWithExpiryVoucherPublicAddressesAndLimit) {
  relay_.set_addrs({addr("/ip4/10.0.0.1/tcp/4001"), addr("/ip4/5.5.5.1/tcp/4001"),
                    addr("/ip4/5.5.5.1/tcp/4002/p2p/" + fixed_peer(9).to_base58())});
  const auto outcome = relay_.handle_hop(reserve(), from(client_), kStart);
  ASSERT_EQ(outcome.kind, HopOutcome::Kind::kReserved);
  EXPECT_EQ(outcome.reservation_expiry, kStart + 1h);
  ASSERT_TRUE(outcome.reply);
  const HopMessage& reply = *outcome.reply;
  EXPECT_EQ(reply.type, HopType::kStatus);
  EXPECT_EQ(reply.status, Status::kOk);
  ASSERT_TRUE(reply.reservation);
  EXPECT_EQ(reply.reservation->expire_unix, 1767225600u + 3600u);
  // The private address and the one with another peer's ID are left out.
  ASSERT_EQ(reply.reservation->addrs.size(), 1u);
  EXPECT_EQ(reply.reservation->addrs[0].to_string(),
            "/ip4/5.5.5.1/tcp/4001/p2p/" + fixed_peer(1).to_base58());
  ASSERT_TRUE(reply.reservation->voucher);
  auto voucher = open_voucher(*reply.reservation->voucher);
  ASSERT_TRUE(voucher.ok()) << voucher.error().describe();
  EXPECT_EQ(*voucher, (ReservationVoucher{fixed_peer(1), client_, 1767225600u + 3600u}));
  EXPECT_EQ(reply.limit, (Limit{120, 131072}));
  EXPECT_TRUE(relay_.has_reservation(client_, kStart + 59min));
  EXPECT_FALSE(relay_.has_reservation(client_, kStart + 1h));
}

TEST_F(RelayTest, ASecondReserveRefreshesTheExpiry) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).kind, HopOutcome::Kind::kReserved);
  const auto again = relay_.handle_hop(reserve(), from(client_), kStart + 50min);
  EXPECT_EQ(again.kind, HopOutcome::Kind::kRefreshed);
  EXPECT_EQ(again.reservation_expiry, kStart + 110min);
  EXPECT_EQ(relay_.reservation_count(), 1u);
  EXPECT_TRUE(relay_.has_reservation(client_, kStart + 100min));
}

TEST_F(RelayTest, RefusesReservationsOverARelayedConnection) {
  Requester relayed{client_,
                    addr("/ip4/5.5.5.9/tcp/1/p2p/" + fixed_peer(9).to_base58() + "/p2p-circuit")};
  const auto outcome = relay_.handle_hop(reserve(), relayed, kStart);
  EXPECT_EQ(outcome.kind, HopOutcome::Kind::kRefused);
  EXPECT_EQ(outcome.status, Status::kPermissionDenied);
  EXPECT_EQ(outcome.reply, hop_status(Status::kPermissionDenied));
  EXPECT_EQ(relay_.reservation_count(), 0u);
}

TEST(RelayAclTest, NetworkOnlyAclDeniesPeersOutsideTheNetworkButNotConnects) {
  const crypto::PeerId member = fixed_peer(2);
  RelayAcl acl;
  acl.allow_reserve = [&](const crypto::PeerId& peer, const Multiaddr&) { return peer == member; };
  Relay relay(fixed_key(1), RelayResources::edgevpn_defaults(), acl);
  const auto stranger = relay.handle_hop(reserve(), from(fixed_peer(4)), kStart);
  EXPECT_EQ(stranger.status, Status::kPermissionDenied);
  EXPECT_EQ(relay.handle_hop(reserve(), from(member), kStart).kind, HopOutcome::Kind::kReserved);
  // Anyone may connect to a member that holds a reservation.
  const auto connect = relay.handle_hop(connect_to(member), from(fixed_peer(4), "5.5.5.4"), kStart);
  EXPECT_EQ(connect.kind, HopOutcome::Kind::kCircuitPending);
  EXPECT_EQ(connect.stop_request->limit, (Limit{1800, 1073741824}));
}

TEST(RelayAclTest, ConnectAclDenies) {
  RelayAcl acl;
  acl.allow_connect = [](const crypto::PeerId&, const Multiaddr&, const crypto::PeerId&) {
    return false;
  };
  Relay relay(fixed_key(1), {}, acl);
  ASSERT_EQ(relay.handle_hop(reserve(), from(fixed_peer(2)), kStart).kind,
            HopOutcome::Kind::kReserved);
  const auto outcome = relay.handle_hop(connect_to(fixed_peer(2)), from(fixed_peer(3)), kStart);
  EXPECT_EQ(outcome.status, Status::kPermissionDenied);
  EXPECT_EQ(relay.circuit_count(), 0u);
}

TEST(RelayLimitsTest, RefusesReservationsOverTheTotal) {
  RelayResources resources;
  resources.max_reservations = 2;
  Relay relay(fixed_key(1), resources);
  EXPECT_EQ(relay.handle_hop(reserve(), from(random_peer(), "5.5.5.2"), kStart).status,
            Status::kOk);
  EXPECT_EQ(relay.handle_hop(reserve(), from(random_peer(), "5.5.5.3"), kStart).status,
            Status::kOk);
  const auto third = relay.handle_hop(reserve(), from(random_peer(), "5.5.5.4"), kStart);
  EXPECT_EQ(third.kind, HopOutcome::Kind::kRefused);
  EXPECT_EQ(third.status, Status::kReservationRefused);
  // Once the first two expire there is room again.
  EXPECT_EQ(relay.handle_hop(reserve(), from(random_peer(), "5.5.5.4"), kStart + 1h).status,
            Status::kOk);
}

TEST(RelayLimitsTest, RefusesTheNinthReservationFromOneIp) {
  Relay relay(fixed_key(1));
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(relay.handle_hop(reserve(), from(random_peer()), kStart).status, Status::kOk) << i;
  }
  EXPECT_EQ(relay.handle_hop(reserve(), from(random_peer()), kStart).status,
            Status::kReservationRefused);
  EXPECT_EQ(relay.handle_hop(reserve(), from(random_peer(), "5.5.5.3"), kStart).status,
            Status::kOk);
}

TEST(RelayLimitsTest, ARefreshIsNotCountedAgainstItself) {
  RelayResources resources;
  resources.max_reservations = 1;
  resources.max_reservations_per_ip = 1;
  Relay relay(fixed_key(1), resources);
  const auto peer = fixed_peer(2);
  ASSERT_EQ(relay.handle_hop(reserve(), from(peer), kStart).status, Status::kOk);
  EXPECT_EQ(relay.handle_hop(reserve(), from(peer), kStart + 1min).kind,
            HopOutcome::Kind::kRefreshed);
}

TEST_F(RelayTest, ConnectWithoutReservationIsNoReservation) {
  const auto outcome = relay_.handle_hop(connect_to(client_), from(initiator_), kStart);
  EXPECT_EQ(outcome.kind, HopOutcome::Kind::kRefused);
  EXPECT_EQ(outcome.status, Status::kNoReservation);
}

TEST_F(RelayTest, ConnectToAnExpiredReservationIsNoReservation) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  EXPECT_EQ(relay_.handle_hop(connect_to(client_), from(initiator_), kStart + 1h).status,
            Status::kNoReservation);
}

TEST_F(RelayTest, ConnectWithoutPeerIsMalformed) {
  HopMessage request;
  request.type = HopType::kConnect;
  EXPECT_EQ(relay_.handle_hop(request, from(initiator_), kStart).status, Status::kMalformedMessage);
}

TEST_F(RelayTest, StatusFromAClientIsMalformed) {
  EXPECT_EQ(relay_.handle_hop(hop_status(Status::kOk), from(initiator_), kStart).status,
            Status::kMalformedMessage);
}

TEST_F(RelayTest, ConnectOverARelayIsPermissionDenied) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  Requester relayed{initiator_,
                    addr("/ip4/5.5.5.9/tcp/1/p2p/" + fixed_peer(9).to_base58() + "/p2p-circuit")};
  EXPECT_EQ(relay_.handle_hop(connect_to(client_), relayed, kStart).status,
            Status::kPermissionDenied);
}

TEST_F(RelayTest, AdmittedConnectAsksTheDestinationThenAnswersOkWithTheLimit) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  const auto pending = relay_.handle_hop(connect_to(client_), from(initiator_), kStart);
  ASSERT_EQ(pending.kind, HopOutcome::Kind::kCircuitPending);
  EXPECT_FALSE(pending.reply);  // the source hears back only after the destination
  EXPECT_EQ(pending.destination, client_);
  ASSERT_TRUE(pending.stop_request);
  EXPECT_EQ(pending.stop_request->type, StopType::kConnect);
  EXPECT_EQ(pending.stop_request->peer->id, initiator_);
  EXPECT_EQ(pending.stop_request->limit, (Limit{120, 131072}));
  EXPECT_EQ(relay_.circuit_count(client_), 1u);
  EXPECT_EQ(relay_.circuit_count(initiator_), 1u);

  const auto opened = relay_.on_stop_response(*pending.circuit, stop_ok(), kStart + 1s);
  EXPECT_EQ(opened.status, Status::kOk);
  EXPECT_EQ(opened.reply.status, Status::kOk);
  EXPECT_EQ(opened.reply.limit, (Limit{120, 131072}));
  EXPECT_EQ(relay_.circuit_deadline(*pending.circuit), kStart + 1s + 2min);
}

TEST_F(RelayTest, ADestinationThatRefusesFailsTheCircuit) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  const auto pending = relay_.handle_hop(connect_to(client_), from(initiator_), kStart);
  const auto failed =
      relay_.on_stop_response(*pending.circuit, stop_status(Status::kConnectionFailed), kStart);
  EXPECT_EQ(failed.status, Status::kConnectionFailed);
  EXPECT_EQ(failed.reply, hop_status(Status::kConnectionFailed));
  EXPECT_EQ(relay_.circuit_count(), 0u);
  EXPECT_EQ(relay_.circuit_count(client_), 0u);
}

TEST_F(RelayTest, AStopAnswerThatIsNoStatusFailsTheCircuit) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  const auto pending = relay_.handle_hop(connect_to(client_), from(initiator_), kStart);
  StopMessage wrong;
  wrong.type = StopType::kConnect;
  EXPECT_EQ(relay_.on_stop_response(*pending.circuit, wrong, kStart).status,
            Status::kConnectionFailed);
  EXPECT_EQ(relay_.circuit_count(initiator_), 0u);
}

TEST_F(RelayTest, AStopStreamThatFailsFailsTheCircuit) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  const auto pending = relay_.handle_hop(connect_to(client_), from(initiator_), kStart);
  EXPECT_EQ(relay_.on_stop_failed(*pending.circuit).reply.status, Status::kConnectionFailed);
  EXPECT_EQ(relay_.circuit_count(), 0u);
  // An answer arriving after that is for a circuit the relay no longer knows.
  EXPECT_EQ(relay_.on_stop_response(*pending.circuit, stop_ok(), kStart).status,
            Status::kConnectionFailed);
}

TEST(RelayLimitsTest, RefusesCircuitsOverThePerPeerMaximum) {
  RelayResources resources;
  resources.max_circuits = 2;
  Relay relay(fixed_key(1), resources);
  const auto target = fixed_peer(2);
  ASSERT_EQ(relay.handle_hop(reserve(), from(target), kStart).status, Status::kOk);
  const auto source = fixed_peer(3);
  EXPECT_EQ(relay.handle_hop(connect_to(target), from(source), kStart).kind,
            HopOutcome::Kind::kCircuitPending);
  EXPECT_EQ(relay.handle_hop(connect_to(target), from(source), kStart).kind,
            HopOutcome::Kind::kCircuitPending);
  EXPECT_EQ(relay.handle_hop(connect_to(target), from(source), kStart).status,
            Status::kResourceLimitExceeded);
  // The target is at its maximum too, whoever asks.
  EXPECT_EQ(relay.handle_hop(connect_to(target), from(fixed_peer(4)), kStart).status,
            Status::kResourceLimitExceeded);
}

TEST(RelayLimitsTest, ClosingACircuitFreesItsSlot) {
  RelayResources resources;
  resources.max_circuits = 1;
  Relay relay(fixed_key(1), resources);
  const auto target = fixed_peer(2);
  ASSERT_EQ(relay.handle_hop(reserve(), from(target), kStart).status, Status::kOk);
  const auto first = relay.handle_hop(connect_to(target), from(fixed_peer(3)), kStart);
  ASSERT_EQ(first.kind, HopOutcome::Kind::kCircuitPending);
  EXPECT_EQ(relay.handle_hop(connect_to(target), from(fixed_peer(4)), kStart).status,
            Status::kResourceLimitExceeded);
  relay.close_circuit(*first.circuit);
  relay.close_circuit(*first.circuit);  // twice is harmless
  EXPECT_EQ(relay.handle_hop(connect_to(target), from(fixed_peer(4)), kStart).kind,
            HopOutcome::Kind::kCircuitPending);
}

TEST_F(RelayTest, CountsDataAgainstTheLimitInEachDirection) {
  const CircuitId circuit = open_circuit();
  EXPECT_EQ(relay_.admit_data(circuit, Direction::kSourceToDestination, 100000), 100000u);
  EXPECT_EQ(relay_.admit_data(circuit, Direction::kSourceToDestination, 100000), 31072u);
  EXPECT_EQ(relay_.admit_data(circuit, Direction::kSourceToDestination, 1), 0u);
  EXPECT_EQ(relay_.relayed_bytes(circuit, Direction::kSourceToDestination), 131072u);
  // The other direction has its own budget.
  EXPECT_EQ(relay_.admit_data(circuit, Direction::kDestinationToSource, 5000), 5000u);
}

TEST_F(RelayTest, APendingCircuitForwardsNothing) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  const auto pending = relay_.handle_hop(connect_to(client_), from(initiator_), kStart);
  EXPECT_EQ(relay_.admit_data(*pending.circuit, Direction::kSourceToDestination, 10), 0u);
}

TEST(RelayUnlimitedTest, WithoutALimitForwardsEverythingAndAnnouncesNoLimit) {
  RelayResources resources;
  resources.limit.reset();
  Relay relay(fixed_key(1), resources);
  const auto target = fixed_peer(2);
  const auto reserved = relay.handle_hop(reserve(), from(target), kStart);
  EXPECT_FALSE(reserved.reply->limit);
  const auto pending = relay.handle_hop(connect_to(target), from(fixed_peer(3)), kStart);
  EXPECT_FALSE(pending.stop_request->limit);
  const auto opened = relay.on_stop_response(*pending.circuit, stop_ok(), kStart);
  EXPECT_FALSE(opened.reply.limit);
  EXPECT_FALSE(relay.circuit_deadline(*pending.circuit));
  EXPECT_EQ(relay.admit_data(*pending.circuit, Direction::kSourceToDestination, 1u << 30),
            1u << 30);
}

TEST_F(RelayTest, TickExpiresCircuitsAtTheirDurationAndReservationsAtTheirExpiry) {
  const CircuitId circuit = open_circuit();
  EXPECT_EQ(relay_.next_deadline(), kStart + 2min);
  auto early = relay_.tick(kStart + 119s);
  EXPECT_TRUE(early.expired_circuits.empty());
  auto due = relay_.tick(kStart + 2min);
  ASSERT_EQ(due.expired_circuits.size(), 1u);
  EXPECT_EQ(due.expired_circuits[0], circuit);
  EXPECT_EQ(relay_.circuit_count(), 0u);
  EXPECT_EQ(relay_.circuit_count(client_), 0u);
  EXPECT_EQ(relay_.next_deadline(), kStart + 1h);
  auto later = relay_.tick(kStart + 1h);
  ASSERT_EQ(later.expired_reservations.size(), 1u);
  EXPECT_EQ(later.expired_reservations[0], client_);
  EXPECT_EQ(relay_.reservation_count(), 0u);
  EXPECT_FALSE(relay_.next_deadline());
}

TEST_F(RelayTest, ADisconnectedPeerLosesItsReservation) {
  ASSERT_EQ(relay_.handle_hop(reserve(), from(client_), kStart).status, Status::kOk);
  relay_.peer_disconnected(client_);
  EXPECT_FALSE(relay_.has_reservation(client_, kStart));
  EXPECT_EQ(relay_.handle_hop(connect_to(client_), from(initiator_), kStart).status,
            Status::kNoReservation);
}

}  // namespace
}  // namespace edgevpn::p2p::relay
