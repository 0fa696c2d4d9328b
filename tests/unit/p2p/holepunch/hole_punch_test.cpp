#include "p2p/holepunch/hole_punch.hpp"

#include <gtest/gtest.h>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"

namespace edgevpn::p2p::holepunch {
namespace {

using namespace std::chrono_literals;

const util::SteadyTime kStart = util::SteadyTime{} + 1000s;

Multiaddr addr(std::string_view text) {
  return *Multiaddr::parse(text);
}

std::string relay_circuit() {
  std::array<uint8_t, 32> seed;
  seed.fill(1);
  const auto relay =
      crypto::PeerId::from_public_key(crypto::PrivateKey::ed25519_from_seed(seed).public_key());
  return "/ip4/5.5.5.1/tcp/4001/p2p/" + relay.to_base58() + "/p2p-circuit";
}

const std::vector<Multiaddr> kInitiatorAddrs = {addr("/ip4/192.168.1.2/tcp/4001"),
                                                addr("/ip4/5.5.5.2/tcp/40002")};
const std::vector<Multiaddr> kReceiverAddrs = {addr("/ip4/10.0.0.3/tcp/4001"),
                                               addr("/ip4/5.5.5.3/tcp/50003")};

HolePunchMessage decoded(const Step& step) {
  EXPECT_TRUE(step.send);
  auto frame = read_frame(*step.send);
  EXPECT_TRUE(frame.ok());
  return frame.ok() ? frame->message : HolePunchMessage{};
}

TEST(HolePunchAddrsTest, LocalAddressesArePublicAndDirectOnly) {
  const auto local = local_punch_addrs(
      {addr("/ip4/10.0.0.1/tcp/1"), addr("/ip4/127.0.0.1/tcp/1"), addr("/ip4/5.5.5.2/tcp/1"),
       addr(relay_circuit()), addr("/ip4/5.5.5.2/tcp/1"), addr("/ip6/2001:4860::1/tcp/1")});
  ASSERT_EQ(local.size(), 2u);
  EXPECT_EQ(local[0].to_string(), "/ip4/5.5.5.2/tcp/1");
  EXPECT_EQ(local[1].to_string(), "/ip6/2001:4860::1/tcp/1");
}

TEST(HolePunchAddrsTest, RemoteAddressesLoseOnlyRelayAddresses) {
  const auto remote = remote_punch_addrs(
      {addr("/ip4/10.0.0.1/tcp/1"), addr(relay_circuit()), addr("/ip4/5.5.5.2/tcp/1")});
  ASSERT_EQ(remote.size(), 2u);
  EXPECT_EQ(remote[0].to_string(), "/ip4/10.0.0.1/tcp/1");
}

TEST(HolePunchAddrsTest, DirectDialOnlyWithAPublicNonRelayAddress) {
  EXPECT_FALSE(worth_direct_dial({addr("/ip4/10.0.0.1/tcp/1"), addr(relay_circuit())}));
  EXPECT_TRUE(worth_direct_dial({addr("/ip4/10.0.0.1/tcp/1"), addr("/ip4/5.5.5.9/tcp/1")}));
}

TEST(InitiatorTest, TriesADirectDialFirstWhenThePeerLooksReachable) {
  Initiator initiator;
  const auto step = initiator.start({addr("/ip4/5.5.5.3/tcp/4001"), addr(relay_circuit())}, kStart);
  ASSERT_TRUE(step.dial);
  EXPECT_FALSE(step.dial->simultaneous_open);
  EXPECT_EQ(step.dial->attempt, 0);
  ASSERT_EQ(step.dial->addrs.size(), 1u);
  EXPECT_EQ(initiator.state(), Initiator::State::kDirectDialing);
  const auto done = initiator.on_dial_result(true, kStart + 1s);
  EXPECT_EQ(done.outcome, Outcome::kSucceeded);
  EXPECT_FALSE(done.open_stream);
}

TEST(InitiatorTest, AFailedDirectDialFallsBackToHolePunching) {
  Initiator initiator;
  initiator.start({addr("/ip4/5.5.5.3/tcp/4001")}, kStart);
  const auto step = initiator.on_dial_result(false, kStart + 10s);
  EXPECT_TRUE(step.open_stream);
  EXPECT_EQ(initiator.attempt(), 1);
  EXPECT_EQ(step.outcome, Outcome::kPending);
}

TEST(InitiatorTest, MeasuresTheRttAndDialsHalfAnRttAfterSync) {
  Initiator initiator;
  const auto first = initiator.start({addr(relay_circuit())}, kStart);
  ASSERT_TRUE(first.open_stream);
  EXPECT_FALSE(first.dial);

  const auto connect = initiator.on_stream_opened(kInitiatorAddrs, kStart + 5ms);
  const auto sent = decoded(connect);
  EXPECT_EQ(sent.type, MessageType::kConnect);
  // Only the public address goes out.
  ASSERT_EQ(sent.observed_addrs.size(), 1u);
  EXPECT_EQ(sent.observed_addrs[0].to_string(), "/ip4/5.5.5.2/tcp/40002");

  const HolePunchMessage answer{MessageType::kConnect,
                                {addr("/ip4/5.5.5.3/tcp/50003"), addr(relay_circuit())}};
  const auto sync = initiator.on_message(answer, kStart + 85ms);
  EXPECT_EQ(decoded(sync).type, MessageType::kSync);
  EXPECT_TRUE(sync.close_stream);
  EXPECT_EQ(initiator.last_rtt(), 80ms);
  ASSERT_TRUE(sync.dial);
  EXPECT_EQ(sync.dial->not_before, kStart + 85ms + 40ms);
  EXPECT_TRUE(sync.dial->simultaneous_open);
  EXPECT_FALSE(sync.dial->as_client);  // the spec's roles on the first attempt
  ASSERT_EQ(sync.dial->addrs.size(), 1u);
  EXPECT_EQ(sync.dial->addrs[0].to_string(), "/ip4/5.5.5.3/tcp/50003");
  EXPECT_EQ(initiator.on_dial_result(true, kStart + 200ms).outcome, Outcome::kSucceeded);
  EXPECT_EQ(initiator.state(), Initiator::State::kSucceeded);
}

TEST(InitiatorTest, RetriesOnANewStreamAndSwapsRolesOnTheThirdAttempt) {
  Initiator initiator;
  initiator.start({}, kStart);
  const HolePunchMessage answer{MessageType::kConnect, {addr("/ip4/5.5.5.3/tcp/50003")}};
  std::vector<bool> as_client;
  auto now = kStart;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    EXPECT_EQ(initiator.attempt(), attempt);
    initiator.on_stream_opened(kInitiatorAddrs, now);
    const auto sync = initiator.on_message(answer, now + 20ms);
    ASSERT_TRUE(sync.dial) << attempt;
    EXPECT_EQ(sync.dial->attempt, attempt);
    as_client.push_back(sync.dial->as_client);
    now += 10s;
    const auto next = initiator.on_dial_result(false, now);
    if (attempt < 3) {
      EXPECT_TRUE(next.open_stream) << attempt;
      EXPECT_EQ(next.outcome, Outcome::kPending);
    } else {
      EXPECT_FALSE(next.open_stream);
      EXPECT_EQ(next.outcome, Outcome::kFailed);
      EXPECT_NE(next.error.find("3"), std::string::npos);
    }
  }
  EXPECT_EQ(as_client, (std::vector<bool>{false, false, true}));
  EXPECT_EQ(initiator.state(), Initiator::State::kFailed);
}

TEST(InitiatorTest, GivesUpWithoutAPublicAddressToOffer) {
  Initiator initiator;
  initiator.start({}, kStart);
  const auto step = initiator.on_stream_opened({addr("/ip4/192.168.1.2/tcp/4001")}, kStart);
  EXPECT_EQ(step.outcome, Outcome::kFailed);
  EXPECT_TRUE(step.reset_stream);
  EXPECT_FALSE(step.send);
}

TEST(InitiatorTest, FailsWhenThePeersConnectHasNothingToDial) {
  Initiator initiator;
  initiator.start({}, kStart);
  initiator.on_stream_opened(kInitiatorAddrs, kStart);
  const auto step = initiator.on_message(
      HolePunchMessage{MessageType::kConnect, {addr(relay_circuit())}}, kStart + 1ms);
  EXPECT_EQ(step.outcome, Outcome::kFailed);
  EXPECT_FALSE(step.dial);
}

TEST(InitiatorTest, FailsOnSyncInsteadOfConnect) {
  Initiator initiator;
  initiator.start({}, kStart);
  initiator.on_stream_opened(kInitiatorAddrs, kStart);
  const auto step = initiator.on_message(HolePunchMessage{MessageType::kSync, {}}, kStart);
  EXPECT_EQ(step.outcome, Outcome::kFailed);
  EXPECT_TRUE(step.reset_stream);
}

TEST(InitiatorTest, TimesOutWaitingForTheConnect) {
  Initiator initiator;
  initiator.start({}, kStart);
  initiator.on_stream_opened(kInitiatorAddrs, kStart + 1s);
  EXPECT_EQ(initiator.next_deadline(), kStart + 61s);
  EXPECT_EQ(initiator.tick(kStart + 60s).outcome, Outcome::kPending);
  const auto step = initiator.tick(kStart + 61s);
  EXPECT_EQ(step.outcome, Outcome::kFailed);
  EXPECT_FALSE(initiator.next_deadline());
}

TEST(InitiatorTest, AStreamFailureEndsThePunch) {
  Initiator initiator;
  initiator.start({}, kStart);
  const auto step = initiator.on_stream_failed("protocol not supported");
  EXPECT_EQ(step.outcome, Outcome::kFailed);
  EXPECT_NE(step.error.find("protocol not supported"), std::string::npos);
}

TEST(ReceiverTest, AnswersConnectThenDialsAtOnceAsClientOnSync) {
  Receiver receiver;
  EXPECT_EQ(receiver.on_stream(true, true, kReceiverAddrs, kStart).outcome, Outcome::kPending);
  const HolePunchMessage connect{MessageType::kConnect,
                                 {addr("/ip4/5.5.5.2/tcp/40002"), addr(relay_circuit())}};
  const auto answer = receiver.on_message(connect, kStart + 1ms);
  const auto sent = decoded(answer);
  EXPECT_EQ(sent.type, MessageType::kConnect);
  ASSERT_EQ(sent.observed_addrs.size(), 1u);
  EXPECT_EQ(sent.observed_addrs[0].to_string(), "/ip4/5.5.5.3/tcp/50003");
  EXPECT_FALSE(answer.dial);

  const auto sync = receiver.on_message(HolePunchMessage{MessageType::kSync, {}}, kStart + 61ms);
  EXPECT_TRUE(sync.close_stream);
  EXPECT_EQ(receiver.last_rtt(), 60ms);
  ASSERT_TRUE(sync.dial);
  EXPECT_EQ(sync.dial->not_before, kStart + 61ms);
  EXPECT_TRUE(sync.dial->as_client);
  EXPECT_TRUE(sync.dial->simultaneous_open);
  ASSERT_EQ(sync.dial->addrs.size(), 1u);
  EXPECT_EQ(sync.dial->addrs[0].to_string(), "/ip4/5.5.5.2/tcp/40002");
  EXPECT_EQ(receiver.on_dial_result(true, kStart + 100ms).outcome, Outcome::kSucceeded);
}

TEST(ReceiverTest, RefusesStreamsOverDirectOrInboundConnections) {
  Receiver direct;
  const auto over_direct = direct.on_stream(false, true, kReceiverAddrs, kStart);
  EXPECT_EQ(over_direct.outcome, Outcome::kFailed);
  EXPECT_TRUE(over_direct.reset_stream);
  Receiver inbound;
  EXPECT_EQ(inbound.on_stream(true, false, kReceiverAddrs, kStart).outcome, Outcome::kFailed);
  Receiver private_only;
  EXPECT_EQ(private_only.on_stream(true, true, {addr("/ip4/10.0.0.3/tcp/1")}, kStart).outcome,
            Outcome::kFailed);
}

TEST(ReceiverTest, RefusesMessagesOutOfOrder) {
  Receiver receiver;
  receiver.on_stream(true, true, kReceiverAddrs, kStart);
  EXPECT_EQ(receiver.on_message(HolePunchMessage{MessageType::kSync, {}}, kStart).outcome,
            Outcome::kFailed);
  Receiver twice;
  twice.on_stream(true, true, kReceiverAddrs, kStart);
  const HolePunchMessage connect{MessageType::kConnect, {addr("/ip4/5.5.5.2/tcp/40002")}};
  twice.on_message(connect, kStart);
  EXPECT_EQ(twice.on_message(connect, kStart).outcome, Outcome::kFailed);
}

TEST(ReceiverTest, TimesOutAnExchangeThatStalls) {
  Receiver receiver;
  receiver.on_stream(true, true, kReceiverAddrs, kStart);
  EXPECT_EQ(receiver.next_deadline(), kStart + 60s);
  EXPECT_EQ(receiver.tick(kStart + 60s).outcome, Outcome::kFailed);
}

// Both roles through encoded messages, as two hosts would run them over a relayed stream.
TEST(HolePunchTest, BothRolesAgreeThroughEncodedMessages) {
  Initiator initiator;
  Receiver receiver;
  initiator.start({}, kStart);
  receiver.on_stream(true, true, kReceiverAddrs, kStart);
  const auto connect = initiator.on_stream_opened(kInitiatorAddrs, kStart);
  const auto answer = receiver.on_message(read_frame(*connect.send)->message, kStart + 30ms);
  const auto sync = initiator.on_message(read_frame(*answer.send)->message, kStart + 60ms);
  const auto dial = receiver.on_message(read_frame(*sync.send)->message, kStart + 90ms);
  ASSERT_TRUE(sync.dial && dial.dial);
  // Each side dials the other's public address; the receiver at once, the initiator at RTT/2
  // after its SYNC, when that SYNC arrives.
  EXPECT_EQ(sync.dial->addrs, std::vector<Multiaddr>{addr("/ip4/5.5.5.3/tcp/50003")});
  EXPECT_EQ(dial.dial->addrs, std::vector<Multiaddr>{addr("/ip4/5.5.5.2/tcp/40002")});
  EXPECT_EQ(sync.dial->not_before, dial.dial->not_before);
  EXPECT_NE(sync.dial->as_client, dial.dial->as_client);
}

}  // namespace
}  // namespace edgevpn::p2p::holepunch
