// The router against hand-driven fake peers: validation (StrictSign, size), dedupe, GRAFT/PRUNE
// with backoff and peer exchange, IHAVE/IWANT, IDONTWANT, floodsub peers, direct peers, framing
// errors.
#include "p2p/pubsub/gossipsub_router.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "pubsub_test_network.hpp"
#include "util/varint.hpp"

namespace edgevpn::p2p::pubsub {
namespace {

using namespace std::chrono_literals;
using testing::drain_for;
using testing::FakePeer;
using testing::messages_of;

const std::string kTopic = "ledger";

struct RouterFixture : ::testing::Test {
  explicit RouterFixture(RouterConfig config = {})
      : router(testing::test_key(1), config, 99, util::SteadyTime{}) {}

  // Connects a fake peer subscribed to kTopic and clears what the router sent it.
  void join(const FakePeer& peer, Protocol protocol = Protocol::kMeshsub12, bool outbound = false) {
    router.add_peer(peer.id, protocol, outbound);
    ASSERT_TRUE(peer.send(router, FakePeer::subscribe(kTopic), now).ok());
    router.take_outgoing();
  }

  GossipsubRouter router;
  util::SteadyTime now{};
};

TEST_F(RouterFixture, AnnouncesSubscriptionsToNewPeers) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  router.add_peer(peer.id, Protocol::kMeshsub12, true);
  auto rpcs = drain_for(router, peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].subscriptions_size(), 1);
  EXPECT_TRUE(rpcs[0].subscriptions(0).subscribe());
  EXPECT_EQ(rpcs[0].subscriptions(0).topicid(), kTopic);
}

TEST_F(RouterFixture, ReplacedOutboundStreamGetsSubscriptionsAndGraftsAgain) {
  FakePeer peer(1), bystander(2);
  join(peer);
  join(bystander);
  router.subscribe(kTopic, now);
  ASSERT_EQ(router.mesh_peers(kTopic).size(), 2u);
  router.take_outgoing();
  // Adding the known peer again (its stream reopened) does not repeat anything by itself...
  router.add_peer(peer.id, Protocol::kMeshsub12, false);
  EXPECT_TRUE(drain_for(router, peer.id).empty());
  // ...a restart does: the far side may be a new pubsub instance that knows nothing of us.
  router.outbound_restarted(peer.id);
  auto rpcs = drain_for(router, peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].subscriptions_size(), 1);
  EXPECT_EQ(rpcs[0].subscriptions(0).topicid(), kTopic);
  EXPECT_TRUE(rpcs[0].subscriptions(0).subscribe());
  ASSERT_EQ(rpcs[0].control().graft_size(), 1);
  EXPECT_EQ(rpcs[0].control().graft(0).topicid(), kTopic);
  EXPECT_TRUE(drain_for(router, bystander.id).empty());
  router.outbound_restarted(FakePeer(3).id);  // unknown peers are ignored
  EXPECT_TRUE(router.take_outgoing().empty());
}

TEST_F(RouterFixture, SubscribeGraftsKnownTopicPeersAndTracksTopicPeers) {
  FakePeer a(1), b(2);
  join(a);
  join(b);
  EXPECT_EQ(router.topic_peers(kTopic).size(), 2u);
  router.subscribe(kTopic, now);
  EXPECT_EQ(router.mesh_peers(kTopic).size(), 2u);
  auto rpcs = drain_for(router, a.id);
  ASSERT_EQ(rpcs.size(), 1u);
  EXPECT_EQ(rpcs[0].subscriptions(0).topicid(), kTopic);
  ASSERT_EQ(rpcs[0].control().graft_size(), 1);
  EXPECT_EQ(router.subscribed_topics(), std::vector<std::string>{kTopic});
}

TEST_F(RouterFixture, DeliversValidMessageOnceWithAuthorAndForwarder) {
  router.subscribe(kTopic, now);
  FakePeer relay(1), author(2);
  join(relay);
  pb::Message message = author.signed_message(kTopic, "hello", 1);
  ASSERT_TRUE(relay.send(router, FakePeer::carrying(message), now).ok());
  ASSERT_TRUE(relay.send(router, FakePeer::carrying(message), now).ok());
  auto delivered = messages_of(router.take_events());
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].topic, kTopic);
  EXPECT_EQ(util::to_string(delivered[0].data), "hello");
  EXPECT_EQ(delivered[0].from, author.id);
  EXPECT_EQ(delivered[0].received_from, relay.id);
  EXPECT_EQ(delivered[0].id, default_message_id(message));
}

TEST_F(RouterFixture, DistinctSeqnosAreDistinctMessages) {
  router.subscribe(kTopic, now);
  FakePeer author(1);
  join(author);
  ASSERT_TRUE(
      author.send(router, FakePeer::carrying(author.signed_message(kTopic, "x", 1)), now).ok());
  ASSERT_TRUE(
      author.send(router, FakePeer::carrying(author.signed_message(kTopic, "x", 2)), now).ok());
  EXPECT_EQ(messages_of(router.take_events()).size(), 2u);
}

TEST_F(RouterFixture, RejectsUnsignedMessage) {
  router.subscribe(kTopic, now);
  FakePeer author(1);
  join(author);
  pb::Message message = author.signed_message(kTopic, "x", 1);
  message.clear_signature();
  ASSERT_TRUE(author.send(router, FakePeer::carrying(message), now).ok());
  pb::Message anonymous;
  anonymous.set_topic(kTopic);
  anonymous.set_data("x");
  ASSERT_TRUE(author.send(router, FakePeer::carrying(anonymous), now).ok());
  auto events = router.take_events();
  EXPECT_EQ(messages_of(events).size(), 0u);
  EXPECT_EQ(testing::count_events<PeerMisbehavedEvent>(events), 2u);
}

TEST_F(RouterFixture, RejectsBadSignatureAndMismatchedKey) {
  router.subscribe(kTopic, now);
  FakePeer author(1), other(2);
  join(author);
  pb::Message tampered = author.signed_message(kTopic, "x", 1);
  tampered.set_data("y");
  pb::Message wrong_key = other.signed_message(kTopic, "x", 2);
  wrong_key.set_from(util::to_string(author.id.bytes()));
  wrong_key.set_key(util::to_string(other.key.public_key().to_protobuf()));
  ASSERT_TRUE(author.send(router, FakePeer::carrying(tampered), now).ok());
  ASSERT_TRUE(author.send(router, FakePeer::carrying(wrong_key), now).ok());
  auto events = router.take_events();
  EXPECT_EQ(messages_of(events).size(), 0u);
  EXPECT_EQ(testing::count_events<PeerMisbehavedEvent>(events), 2u);
  // A rejected message is not marked seen: the genuine one still gets through.
  ASSERT_TRUE(
      author.send(router, FakePeer::carrying(author.signed_message(kTopic, "x", 1)), now).ok());
  EXPECT_EQ(messages_of(router.take_events()).size(), 1u);
}

TEST_F(RouterFixture, IgnoresMessagesOfTopicsWeDoNotSubscribe) {
  FakePeer author(1);
  join(author);
  ASSERT_TRUE(
      author.send(router, FakePeer::carrying(author.signed_message(kTopic, "x", 1)), now).ok());
  EXPECT_TRUE(messages_of(router.take_events()).empty());
}

TEST_F(RouterFixture, DropsOwnMessagesEchoedBack) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  join(peer);
  auto id = router.publish(kTopic, util::as_bytes("mine"), now);
  ASSERT_TRUE(id.ok());
  auto rpcs = drain_for(router, peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].publish_size(), 1);
  EXPECT_TRUE(verify_strict_sign(rpcs[0].publish(0)).ok());
  EXPECT_EQ(default_message_id(rpcs[0].publish(0)), *id);
  ASSERT_TRUE(peer.send(router, FakePeer::carrying(rpcs[0].publish(0)), now).ok());
  EXPECT_TRUE(messages_of(router.take_events()).empty());
}

TEST_F(RouterFixture, PublishUsesIncreasingSeqnos) {
  FakePeer peer(1);
  join(peer);
  ASSERT_TRUE(router.publish(kTopic, util::as_bytes("a"), now).ok());
  ASSERT_TRUE(router.publish(kTopic, util::as_bytes("a"), now).ok());
  auto rpcs = drain_for(router, peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].publish_size(), 2);
  const auto s0 = util::get_u64_be(util::as_bytes(rpcs[0].publish(0).seqno()).data());
  const auto s1 = util::get_u64_be(util::as_bytes(rpcs[0].publish(1).seqno()).data());
  EXPECT_EQ(s1, s0 + 1);
}

TEST_F(RouterFixture, MalformedRpcIsAnError) {
  FakePeer peer(1);
  router.add_peer(peer.id, Protocol::kMeshsub12, false);
  const util::Bytes garbage = {0x04, 0x0a, 0xff, 0xff, 0xff};
  auto status = router.on_rpc_bytes(peer.id, garbage, now);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kMalformed);
}

TEST_F(RouterFixture, NewInboundStreamRecoversFromAFailedOne) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  router.add_peer(peer.id, Protocol::kMeshsub12, false);
  const util::Bytes garbage = {0x04, 0x0a, 0xff, 0xff, 0xff};
  ASSERT_FALSE(router.on_rpc_bytes(peer.id, garbage, now).ok());
  EXPECT_FALSE(peer.send(router, FakePeer::subscribe(kTopic), now).ok());
  router.restart_inbound(peer.id);
  ASSERT_TRUE(peer.send(router, FakePeer::subscribe(kTopic), now).ok());
  EXPECT_EQ(router.topic_peers(kTopic), std::vector<crypto::PeerId>{peer.id});
}

TEST_F(RouterFixture, BytesFromUnknownPeerAreAnError) {
  FakePeer peer(1);
  auto status = peer.send(router, FakePeer::subscribe(kTopic), now);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kNotFound);
}

TEST_F(RouterFixture, RpcLargerThanLimitIsAnError) {
  FakePeer peer(1);
  router.add_peer(peer.id, Protocol::kMeshsub12, false);
  util::Bytes prefix;
  util::put_uvarint(prefix, router.max_rpc_size() + 1);
  auto status = router.on_rpc_bytes(peer.id, prefix, now);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kTooLarge);
}

struct SmallMessageRouter : RouterFixture {
  static RouterConfig small() {
    RouterConfig config;
    config.max_message_size = 1024;
    return config;
  }
  SmallMessageRouter() : RouterFixture(small()) {}
};

TEST_F(SmallMessageRouter, DropsMessagesOverMaxSize) {
  router.subscribe(kTopic, now);
  FakePeer author(1);
  join(author);
  ASSERT_TRUE(
      author
          .send(router,
                FakePeer::carrying(author.signed_message(kTopic, std::string(2000, 'x'), 1)), now)
          .ok());
  auto events = router.take_events();
  EXPECT_TRUE(messages_of(events).empty());
  EXPECT_EQ(testing::count_events<PeerMisbehavedEvent>(events), 1u);
}

TEST_F(SmallMessageRouter, RefusesToPublishOversizedMessage) {
  auto result = router.publish(kTopic, util::Bytes(1024, 1), now);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kTooLarge);
}

TEST_F(RouterFixture, AcceptsGraftAndPruneRecordsBackoff) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  join(peer);
  ASSERT_TRUE(peer.send(router, FakePeer::graft(kTopic), now).ok());
  EXPECT_EQ(router.mesh_peers(kTopic), std::vector<crypto::PeerId>{peer.id});
  ASSERT_TRUE(peer.send(router, FakePeer::prune(kTopic, 30), now).ok());
  EXPECT_TRUE(router.mesh_peers(kTopic).empty());
  EXPECT_TRUE(router.is_backing_off(kTopic, peer.id, now + 29s));
  EXPECT_FALSE(router.is_backing_off(kTopic, peer.id, now + 30s));
}

TEST_F(RouterFixture, GraftDuringBackoffIsAnsweredWithPruneWithoutPeerExchange) {
  router.subscribe(kTopic, now);
  FakePeer peer(1), bystander(2);
  join(peer);
  join(bystander);
  ASSERT_TRUE(peer.send(router, FakePeer::prune(kTopic, 60), now).ok());
  router.take_events();
  ASSERT_TRUE(bystander.send(router, FakePeer::graft(kTopic), now).ok());
  ASSERT_TRUE(peer.send(router, FakePeer::graft(kTopic), now + 5s).ok());
  EXPECT_EQ(router.mesh_peers(kTopic), std::vector<crypto::PeerId>{bystander.id});
  auto rpcs = drain_for(router, peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].control().prune_size(), 1);
  const auto& prune = rpcs[0].control().prune(0);
  EXPECT_EQ(prune.topicid(), kTopic);
  EXPECT_EQ(prune.backoff(), 60u);
  EXPECT_EQ(prune.peers_size(), 0);
  EXPECT_EQ(testing::count_events<PeerMisbehavedEvent>(router.take_events()), 1u);
}

TEST_F(RouterFixture, GraftForUnknownTopicIsIgnored) {
  FakePeer peer(1);
  join(peer);
  ASSERT_TRUE(peer.send(router, FakePeer::graft("other"), now).ok());
  EXPECT_TRUE(drain_for(router, peer.id).empty());
}

TEST_F(RouterFixture, FullMeshPrunesInboundGraftWithPeerExchange) {
  std::vector<std::unique_ptr<FakePeer>> peers;
  for (uint32_t i = 0; i < 20; ++i) {
    peers.push_back(std::make_unique<FakePeer>(i));
    join(*peers.back());
  }
  router.subscribe(kTopic, now);
  router.take_outgoing();
  // Fill the mesh up to Dhi with inbound grafts.
  size_t i = 0;
  while (router.mesh_peers(kTopic).size() < router.config().d_high) {
    ASSERT_TRUE(peers[i++]->send(router, FakePeer::graft(kTopic), now).ok());
  }
  const FakePeer* late = nullptr;
  for (const auto& peer : peers) {
    auto mesh = router.mesh_peers(kTopic);
    if (std::find(mesh.begin(), mesh.end(), peer->id) == mesh.end()) {
      late = peer.get();
      break;
    }
  }
  ASSERT_NE(late, nullptr);
  router.take_outgoing();
  ASSERT_TRUE(late->send(router, FakePeer::graft(kTopic), now).ok());
  EXPECT_EQ(router.mesh_peers(kTopic).size(), router.config().d_high);
  auto rpcs = drain_for(router, late->id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].control().prune_size(), 1);
  const auto& prune = rpcs[0].control().prune(0);
  EXPECT_EQ(prune.backoff(), 60u);
  EXPECT_EQ(prune.peers_size(), 16);
  for (const auto& info : prune.peers()) {
    EXPECT_NE(info.peerid(), util::to_string(late->id.bytes()));
  }
}

TEST_F(RouterFixture, HeartbeatPrunesOverfullMeshToDKeepingOutboundPeers) {
  router.subscribe(kTopic, now);
  std::vector<std::unique_ptr<FakePeer>> inbound, outbound;
  for (uint32_t i = 0; i < 12; ++i) {
    inbound.push_back(std::make_unique<FakePeer>(i));
    join(*inbound.back(), Protocol::kMeshsub12, false);
    ASSERT_TRUE(inbound.back()->send(router, FakePeer::graft(kTopic), now).ok());
  }
  for (uint32_t i = 100; i < 102; ++i) {
    outbound.push_back(std::make_unique<FakePeer>(i));
    join(*outbound.back(), Protocol::kMeshsub12, true);
    // Past Dhi only peers we dialed may still graft.
    ASSERT_TRUE(outbound.back()->send(router, FakePeer::graft(kTopic), now).ok());
  }
  ASSERT_EQ(router.mesh_peers(kTopic).size(), 14u);
  router.take_outgoing();
  router.heartbeat(now + 1s);
  auto mesh = router.mesh_peers(kTopic);
  EXPECT_EQ(mesh.size(), router.config().d);
  for (const auto& peer : outbound) {
    EXPECT_NE(std::find(mesh.begin(), mesh.end(), peer->id), mesh.end());
  }
  size_t pruned = 0;
  for (auto& [to, frame] : router.take_outgoing()) {
    for (const auto& rpc : testing::decode_frames(frame)) {
      for (const auto& prune : rpc.control().prune()) {
        ++pruned;
        EXPECT_EQ(prune.backoff(), 60u);
        EXPECT_GT(prune.peers_size(), 0);
        EXPECT_TRUE(router.is_backing_off(kTopic, to, now + 2s));
      }
    }
  }
  EXPECT_EQ(pruned, 14u - router.config().d);
}

TEST_F(RouterFixture, HeartbeatGraftsUpToDWhenBelowDlo) {
  std::vector<std::unique_ptr<FakePeer>> peers;
  router.subscribe(kTopic, now);
  for (uint32_t i = 0; i < 10; ++i) {
    peers.push_back(std::make_unique<FakePeer>(i));
    join(*peers.back());
  }
  EXPECT_TRUE(router.mesh_peers(kTopic).empty());
  router.heartbeat(now + 1s);
  EXPECT_EQ(router.mesh_peers(kTopic).size(), router.config().d);
  size_t grafts = 0;
  for (auto& [to, frame] : router.take_outgoing()) {
    for (const auto& rpc : testing::decode_frames(frame)) grafts += rpc.control().graft_size();
  }
  EXPECT_EQ(grafts, router.config().d);
}

TEST_F(RouterFixture, HeartbeatGossipsIhaveToNonMeshPeers) {
  std::vector<std::unique_ptr<FakePeer>> peers;
  for (uint32_t i = 0; i < 20; ++i) {
    peers.push_back(std::make_unique<FakePeer>(i));
    join(*peers.back());
  }
  router.subscribe(kTopic, now);
  auto id = router.publish(kTopic, util::as_bytes("gossip me"), now);
  ASSERT_TRUE(id.ok());
  router.take_outgoing();
  router.heartbeat(now + 1s);
  auto mesh = router.mesh_peers(kTopic);
  size_t ihave_peers = 0;
  for (auto& [to, frame] : router.take_outgoing()) {
    for (const auto& rpc : testing::decode_frames(frame)) {
      if (rpc.control().ihave_size() == 0) continue;
      ++ihave_peers;
      EXPECT_EQ(std::find(mesh.begin(), mesh.end(), to), mesh.end()) << "no IHAVE to mesh peers";
      EXPECT_EQ(rpc.control().ihave(0).messageids(0), *id);
    }
  }
  EXPECT_EQ(ihave_peers, router.config().d_lazy);
}

TEST_F(RouterFixture, PruneToMeshsub10PeerCarriesNoBackoff) {
  FakePeer old_peer(1);
  join(old_peer, Protocol::kMeshsub10);
  router.subscribe(kTopic, now);
  router.take_outgoing();
  router.unsubscribe(kTopic, now);
  auto rpcs = drain_for(router, old_peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].control().prune_size(), 1);
  EXPECT_FALSE(rpcs[0].control().prune(0).has_backoff());
  EXPECT_FALSE(rpcs[0].subscriptions(0).subscribe());
}

TEST_F(RouterFixture, UnsubscribePrunesMeshWithUnsubscribeBackoff) {
  FakePeer peer(1);
  join(peer);
  router.subscribe(kTopic, now);
  router.take_outgoing();
  router.unsubscribe(kTopic, now);
  auto rpcs = drain_for(router, peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].control().prune_size(), 1);
  EXPECT_EQ(rpcs[0].control().prune(0).backoff(), 10u);
  EXPECT_TRUE(router.subscribed_topics().empty());
  EXPECT_TRUE(router.is_backing_off(kTopic, peer.id, now + 9s));
}

TEST_F(RouterFixture, PeerExchangeFromPruneBecomesDialEvents) {
  FakePeer pruner(1), connected(2), fresh(3);
  join(pruner);
  join(connected);
  router.subscribe(kTopic, now);  // grafts both
  pb::RPC rpc = FakePeer::prune(kTopic, 60);
  auto* prune = rpc.mutable_control()->mutable_prune(0);
  prune->add_peers()->set_peerid(util::to_string(router.local_peer().bytes()));
  prune->add_peers()->set_peerid(util::to_string(connected.id.bytes()));
  auto* info = prune->add_peers();
  info->set_peerid(util::to_string(fresh.id.bytes()));
  info->set_signedpeerrecord("record");
  prune->add_peers()->set_peerid("not a peer id");
  ASSERT_TRUE(pruner.send(router, rpc, now).ok());
  std::vector<DialPeerEvent> dials;
  for (auto& event : router.take_events()) {
    if (auto* dial = std::get_if<DialPeerEvent>(&event)) dials.push_back(*dial);
  }
  ASSERT_EQ(dials.size(), 1u);
  EXPECT_EQ(dials[0].peer, fresh.id);
  EXPECT_EQ(util::to_string(dials[0].signed_peer_record), "record");
  EXPECT_EQ(dials[0].reason, DialReason::kPeerExchange);
}

std::vector<DialPeerEvent> dial_events(GossipsubRouter& router) {
  std::vector<DialPeerEvent> dials;
  for (auto& event : router.take_events()) {
    if (auto* dial = std::get_if<DialPeerEvent>(&event)) dials.push_back(*dial);
  }
  return dials;
}

// A PRUNE offering `count` peers with ids from `first_seed` on.
pb::RPC prune_offering(uint8_t first_seed, size_t count) {
  pb::RPC rpc = FakePeer::prune(kTopic, 60);
  for (size_t i = 0; i < count; ++i) {
    FakePeer offered(static_cast<uint8_t>(first_seed + i));
    auto* info = rpc.mutable_control()->mutable_prune(0)->add_peers();
    info->set_peerid(util::to_string(offered.id.bytes()));
    info->set_signedpeerrecord("record");
  }
  return rpc;
}

TEST_F(RouterFixture, PeerExchangeFromAPeerOutsideOurMeshIsIgnored) {
  router.subscribe(kTopic, now);
  FakePeer stranger(1);
  join(stranger);  // knows the topic but was never grafted
  ASSERT_TRUE(router.mesh_peers(kTopic).empty());
  ASSERT_TRUE(stranger.send(router, prune_offering(100, 16), now).ok());
  EXPECT_TRUE(dial_events(router).empty());
}

TEST_F(RouterFixture, PeerExchangeDialsAreBoundedPerMinuteAndNotRepeated) {
  std::vector<FakePeer> members;
  for (uint8_t i = 1; i <= 6; ++i) members.emplace_back(i);
  for (const auto& member : members) join(member);
  router.subscribe(kTopic, now);
  ASSERT_EQ(router.mesh_peers(kTopic).size(), 6u);
  // Six mesh peers each offer the same 16 peers plus 16 of their own: 112 distinct offers.
  size_t dials = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    ASSERT_TRUE(members[i].send(router, prune_offering(100, 16), now).ok());
    ASSERT_TRUE(
        members[i].send(router, prune_offering(static_cast<uint8_t>(120 + 16 * i), 16), now).ok());
    dials += dial_events(router).size();
  }
  EXPECT_EQ(dials, 16u);
  // A minute later the budget is back, but peers offered before are not dialled again.
  ASSERT_TRUE(members[0].send(router, FakePeer::graft(kTopic), now + 61s).ok());
  ASSERT_TRUE(members[0].send(router, prune_offering(100, 16), now + 61s).ok());
  EXPECT_TRUE(dial_events(router).empty());
  ASSERT_TRUE(members[1].send(router, FakePeer::graft(kTopic), now + 61s).ok());
  ASSERT_TRUE(members[1].send(router, prune_offering(230, 4), now + 61s).ok());
  EXPECT_EQ(dial_events(router).size(), 4u);
}

TEST_F(RouterFixture, IhaveOfUnseenIdsIsAnsweredWithIwant) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  join(peer);
  pb::Message known = peer.signed_message(kTopic, "known", 1);
  ASSERT_TRUE(peer.send(router, FakePeer::carrying(known), now).ok());
  router.take_outgoing();
  pb::RPC rpc;
  auto* ihave = rpc.mutable_control()->add_ihave();
  ihave->set_topicid(kTopic);
  ihave->add_messageids(default_message_id(known));
  ihave->add_messageids("unseen-1");
  ihave->add_messageids("unseen-2");
  auto* other_topic = rpc.mutable_control()->add_ihave();
  other_topic->set_topicid("other");
  other_topic->add_messageids("elsewhere");
  ASSERT_TRUE(peer.send(router, rpc, now).ok());
  auto rpcs = drain_for(router, peer.id);
  ASSERT_EQ(rpcs.size(), 1u);
  ASSERT_EQ(rpcs[0].control().iwant_size(), 1);
  std::vector<std::string> wanted(rpcs[0].control().iwant(0).messageids().begin(),
                                  rpcs[0].control().iwant(0).messageids().end());
  std::sort(wanted.begin(), wanted.end());
  EXPECT_EQ(wanted, (std::vector<std::string>{"unseen-1", "unseen-2"}));
}

TEST_F(RouterFixture, IhaveFloodIsCappedPerHeartbeat) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  join(peer);
  for (int i = 0; i < 15; ++i) {
    pb::RPC rpc;
    auto* ihave = rpc.mutable_control()->add_ihave();
    ihave->set_topicid(kTopic);
    ihave->add_messageids("id-" + std::to_string(i));
    ASSERT_TRUE(peer.send(router, rpc, now).ok());
  }
  size_t asked = 0;
  for (const auto& rpc : drain_for(router, peer.id)) {
    for (const auto& iwant : rpc.control().iwant()) asked += iwant.messageids_size();
  }
  EXPECT_EQ(asked, router.config().max_ihave_messages);
}

TEST_F(RouterFixture, IwantIsAnsweredFromTheCacheWithRetransmissionLimit) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  join(peer);
  auto id = router.publish(kTopic, util::as_bytes("cached"), now);
  ASSERT_TRUE(id.ok());
  router.take_outgoing();
  pb::RPC rpc;
  rpc.mutable_control()->add_iwant()->add_messageids(*id);
  size_t replies = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(peer.send(router, rpc, now).ok());
    for (const auto& reply : drain_for(router, peer.id)) replies += reply.publish_size();
  }
  EXPECT_EQ(replies, router.config().gossip_retransmission);
}

TEST_F(RouterFixture, LargeMessageTriggersIdontwantToMeshsub12MeshPeers) {
  router.subscribe(kTopic, now);
  FakePeer sender(1), modern(2), older(3);
  join(sender);
  join(modern);
  join(older, Protocol::kMeshsub11);
  for (const auto* peer : {&sender, &modern, &older}) {
    ASSERT_TRUE(peer->send(router, FakePeer::graft(kTopic), now).ok());
  }
  router.take_outgoing();
  pb::Message big = sender.signed_message(kTopic, std::string(2000, 'b'), 1);
  ASSERT_TRUE(sender.send(router, FakePeer::carrying(big), now).ok());
  auto frames = router.take_outgoing();
  size_t to_modern = 0, to_older = 0, to_sender = 0;
  for (auto& [to, frame] : frames) {
    for (const auto& rpc : testing::decode_frames(frame)) {
      size_t ids = 0;
      for (const auto& idw : rpc.control().idontwant()) ids += idw.messageids_size();
      if (to == modern.id) to_modern += ids;
      if (to == older.id) to_older += ids;
      if (to == sender.id) to_sender += ids;
    }
  }
  EXPECT_EQ(to_modern, 1u);
  EXPECT_EQ(to_older, 0u);
  EXPECT_EQ(to_sender, 0u);
}

TEST_F(RouterFixture, IdontwantSuppressesForwarding) {
  router.subscribe(kTopic, now);
  FakePeer sender(1), receiver(2);
  join(sender);
  join(receiver);
  ASSERT_TRUE(receiver.send(router, FakePeer::graft(kTopic), now).ok());
  pb::Message message = sender.signed_message(kTopic, "data", 1);
  pb::RPC dont;
  dont.mutable_control()->add_idontwant()->add_messageids(default_message_id(message));
  ASSERT_TRUE(receiver.send(router, dont, now).ok());
  router.take_outgoing();
  ASSERT_TRUE(sender.send(router, FakePeer::carrying(message), now).ok());
  EXPECT_EQ(messages_of(router.take_events()).size(), 1u);
  for (const auto& rpc : drain_for(router, receiver.id)) EXPECT_EQ(rpc.publish_size(), 0);
}

TEST_F(RouterFixture, FloodsubPeerGetsMessagesButNoControl) {
  router.subscribe(kTopic, now);
  FakePeer flood(1), author(2);
  join(flood, Protocol::kFloodsub);
  join(author);
  EXPECT_TRUE(router.mesh_peers(kTopic).empty() ||
              router.mesh_peers(kTopic) == std::vector<crypto::PeerId>{author.id});
  ASSERT_TRUE(
      author.send(router, FakePeer::carrying(author.signed_message(kTopic, "m", 1)), now).ok());
  router.heartbeat(now + 1s);
  auto rpcs = drain_for(router, flood.id);
  size_t messages = 0;
  for (const auto& rpc : rpcs) {
    messages += rpc.publish_size();
    EXPECT_FALSE(rpc.has_control());
  }
  EXPECT_EQ(messages, 1u);
  // Control from a floodsub peer is ignored.
  ASSERT_TRUE(flood.send(router, FakePeer::graft(kTopic), now).ok());
  auto mesh = router.mesh_peers(kTopic);
  EXPECT_EQ(std::count(mesh.begin(), mesh.end(), flood.id), 0);
}

TEST_F(RouterFixture, FanoutCarriesPublishesToUnjoinedTopicUntilTtl) {
  RouterConfig config;
  config.flood_publish = false;
  GossipsubRouter publisher(testing::test_key(9), config, 5, now);
  std::vector<std::unique_ptr<FakePeer>> peers;
  for (uint32_t i = 0; i < 10; ++i) {
    peers.push_back(std::make_unique<FakePeer>(i));
    publisher.add_peer(peers.back()->id, Protocol::kMeshsub12, true);
    ASSERT_TRUE(peers.back()->send(publisher, FakePeer::subscribe(kTopic), now).ok());
  }
  ASSERT_TRUE(publisher.publish(kTopic, util::as_bytes("x"), now).ok());
  EXPECT_EQ(publisher.fanout_peers(kTopic).size(), config.d);
  size_t receivers = 0;
  for (auto& [to, frame] : publisher.take_outgoing()) {
    for (const auto& rpc : testing::decode_frames(frame)) receivers += rpc.publish_size();
  }
  EXPECT_EQ(receivers, config.d);
  publisher.heartbeat(now + 30s);
  EXPECT_EQ(publisher.fanout_peers(kTopic).size(), config.d);
  publisher.heartbeat(now + 61s);
  EXPECT_TRUE(publisher.fanout_peers(kTopic).empty());
}

TEST_F(RouterFixture, FloodPublishReachesEveryTopicPeer) {
  std::vector<std::unique_ptr<FakePeer>> peers;
  for (uint32_t i = 0; i < 10; ++i) {
    peers.push_back(std::make_unique<FakePeer>(i));
    join(*peers.back());
  }
  router.subscribe(kTopic, now);
  ASSERT_TRUE(router.publish(kTopic, util::as_bytes("x"), now).ok());
  size_t receivers = 0;
  for (auto& [to, frame] : router.take_outgoing()) {
    for (const auto& rpc : testing::decode_frames(frame)) receivers += rpc.publish_size();
  }
  EXPECT_EQ(receivers, 10u);
}

TEST_F(RouterFixture, PeerUnsubscribingLeavesTopicAndMesh) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  join(peer);
  ASSERT_TRUE(peer.send(router, FakePeer::graft(kTopic), now).ok());
  ASSERT_TRUE(peer.send(router, FakePeer::subscribe(kTopic, false), now).ok());
  EXPECT_TRUE(router.topic_peers(kTopic).empty());
  EXPECT_TRUE(router.mesh_peers(kTopic).empty());
}

TEST_F(RouterFixture, RemovedPeerLeavesEverything) {
  router.subscribe(kTopic, now);
  FakePeer peer(1);
  join(peer);
  ASSERT_TRUE(peer.send(router, FakePeer::graft(kTopic), now).ok());
  router.remove_peer(peer.id);
  EXPECT_TRUE(router.peers().empty());
  EXPECT_TRUE(router.topic_peers(kTopic).empty());
  EXPECT_TRUE(router.mesh_peers(kTopic).empty());
  EXPECT_TRUE(router.take_outgoing().empty());
}

struct DirectPeerRouter : RouterFixture {
  static RouterConfig with_direct() {
    RouterConfig config;
    config.direct_peers = {FakePeer(1).id, FakePeer(2).id};
    return config;
  }
  DirectPeerRouter() : RouterFixture(with_direct()) {}
};

TEST_F(DirectPeerRouter, AsksToDialMissingDirectPeersAtFirstHeartbeat) {
  FakePeer connected(1), missing(2);
  join(connected);
  router.on_timer(now + 200ms);
  std::vector<DialPeerEvent> dials;
  for (auto& event : router.take_events()) {
    if (auto* dial = std::get_if<DialPeerEvent>(&event)) dials.push_back(*dial);
  }
  ASSERT_EQ(dials.size(), 1u);
  EXPECT_EQ(dials[0].peer, missing.id);
  EXPECT_EQ(dials[0].reason, DialReason::kDirectPeer);
}

TEST_F(DirectPeerRouter, DirectPeerGetsMessagesOutsideTheMeshAndItsGraftIsPruned) {
  FakePeer direct(1), author(3);
  join(direct);
  join(author);
  router.subscribe(kTopic, now);
  EXPECT_EQ(router.mesh_peers(kTopic), std::vector<crypto::PeerId>{author.id});
  ASSERT_TRUE(direct.send(router, FakePeer::graft(kTopic), now).ok());
  EXPECT_EQ(router.mesh_peers(kTopic), std::vector<crypto::PeerId>{author.id});
  router.take_outgoing();
  ASSERT_TRUE(
      author.send(router, FakePeer::carrying(author.signed_message(kTopic, "m", 1)), now).ok());
  size_t messages = 0;
  for (const auto& rpc : drain_for(router, direct.id)) messages += rpc.publish_size();
  EXPECT_EQ(messages, 1u);
}

TEST_F(RouterFixture, NextDeadlineIsTheHeartbeat) {
  EXPECT_EQ(router.next_deadline(), now + 100ms);
  router.on_timer(now + 50ms);
  EXPECT_EQ(router.next_deadline(), now + 100ms);
  router.on_timer(now + 100ms);
  EXPECT_EQ(router.next_deadline(), now + 1100ms);
}

}  // namespace
}  // namespace edgevpn::p2p::pubsub
