// Tests for the DHT request handlers.
#include "p2p/kad/dht_server.hpp"

#include <gtest/gtest.h>

#include "kad_test_util.hpp"

namespace edgevpn::p2p::kad {
namespace {

using testing::make_peer;
using testing::make_peer_id;

class DhtServerTest : public ::testing::Test {
 protected:
  DhtServerTest() : table_(make_peer_id(0)), server_(table_, store_) {
    for (int n = 1; n <= 60; ++n) (void)table_.update(make_peer(n), now_);
  }
  util::SteadyTime now_{};
  RoutingTable table_;
  ProviderStore store_;
  DhtServer server_;
  const util::Bytes key_ = util::to_bytes("\x12\x20some-multihash");
};

TEST_F(DhtServerTest, FindNodeAnswersTheKClosestPeersExceptTheRequester) {
  Message request;
  request.type = MessageType::kFindNode;
  request.key = make_peer_id(500).bytes();
  const crypto::PeerId requester = table_.closest(key_for_bytes(request.key), 1)[0].id;
  auto response = server_.handle_request(request, requester, now_);
  ASSERT_TRUE(response.ok());
  ASSERT_TRUE(response->has_value());
  const Message& message = **response;
  EXPECT_EQ(message.type, MessageType::kFindNode);
  EXPECT_EQ(message.closer_peers, table_.closest(key_for_bytes(request.key), 20, &requester));
  for (const auto& peer : message.closer_peers) {
    EXPECT_NE(peer.id, requester);
    EXPECT_FALSE(peer.addrs.empty());
  }
}

TEST_F(DhtServerTest, FindNodeForOurIdAnswersOurselves) {
  server_.set_self_addrs({Multiaddr::parse("/ip4/1.2.3.4/tcp/4001").value()});
  Message request;
  request.type = MessageType::kFindNode;
  request.key = make_peer_id(0).bytes();
  auto response = server_.handle_request(request, make_peer_id(7), now_);
  ASSERT_TRUE(response.ok() && response->has_value());
  ASSERT_EQ((*response)->closer_peers.size(), 1u);
  EXPECT_EQ((*response)->closer_peers[0].id, make_peer_id(0));
  EXPECT_EQ((*response)->closer_peers[0].addrs.size(), 1u);
}

TEST_F(DhtServerTest, AddProviderStoresOnlyTheSendersOwnRecordAndAnswersNothing) {
  Message add;
  add.type = MessageType::kAddProvider;
  add.key = key_;
  add.provider_peers = {make_peer(100), make_peer(101)};
  auto response = server_.handle_request(add, make_peer_id(100), now_);
  ASSERT_TRUE(response.ok());
  EXPECT_FALSE(response->has_value());
  auto providers = store_.get(key_, now_);
  ASSERT_EQ(providers.size(), 1u);
  EXPECT_EQ(providers[0].id, make_peer_id(100));
}

TEST_F(DhtServerTest, AddProviderWithoutAddressesIsIgnored) {
  Message add;
  add.type = MessageType::kAddProvider;
  add.key = key_;
  add.provider_peers = {PeerInfo{make_peer_id(100), {}, ConnectionType::kNotConnected}};
  ASSERT_TRUE(server_.handle_request(add, make_peer_id(100), now_).ok());
  EXPECT_TRUE(store_.get(key_, now_).empty());
}

TEST_F(DhtServerTest, GetProvidersAnswersProvidersAndCloserPeers) {
  ASSERT_TRUE(store_.add(key_, make_peer(100), now_).ok());
  Message request;
  request.type = MessageType::kGetProviders;
  request.key = key_;
  auto response = server_.handle_request(request, make_peer_id(200), now_);
  ASSERT_TRUE(response.ok() && response->has_value());
  const Message& message = **response;
  EXPECT_EQ(message.type, MessageType::kGetProviders);
  EXPECT_EQ(message.key, key_);
  ASSERT_EQ(message.provider_peers.size(), 1u);
  EXPECT_EQ(message.provider_peers[0], make_peer(100));
  EXPECT_EQ(message.closer_peers.size(), 20u);
}

TEST_F(DhtServerTest, ExpiredProvidersAreNoLongerAnswered) {
  Message add = make_add_provider(key_, make_peer(100));
  ASSERT_TRUE(server_.handle_request(add, make_peer_id(100), now_).ok());
  auto later = server_.handle_request(make_get_providers(key_), make_peer_id(200),
                                      now_ + std::chrono::hours(48));
  ASSERT_TRUE(later.ok() && later->has_value());
  EXPECT_TRUE((*later)->provider_peers.empty());
}

TEST_F(DhtServerTest, ProviderRequestsWithBadKeysAreErrors) {
  Message request;
  request.type = MessageType::kGetProviders;
  EXPECT_FALSE(server_.handle_request(request, make_peer_id(1), now_).ok());
  request.key = util::Bytes(81, 1);
  EXPECT_FALSE(server_.handle_request(request, make_peer_id(1), now_).ok());
  request.type = MessageType::kAddProvider;
  EXPECT_FALSE(server_.handle_request(request, make_peer_id(1), now_).ok());
}

TEST_F(DhtServerTest, PingIsEchoed) {
  Message ping;
  ping.type = MessageType::kPing;
  auto response = server_.handle_request(ping, make_peer_id(1), now_);
  ASSERT_TRUE(response.ok() && response->has_value());
  EXPECT_EQ(**response, ping);
}

TEST_F(DhtServerTest, ValuesAreNotStored) {
  Message put;
  put.type = MessageType::kPutValue;
  put.key = util::to_bytes("/v/x");
  put.record = Record{put.key, util::to_bytes("v"), ""};
  auto put_response = server_.handle_request(put, make_peer_id(1), now_);
  ASSERT_FALSE(put_response.ok());
  EXPECT_EQ(put_response.error().code, util::Errc::kUnsupported);

  Message get;
  get.type = MessageType::kGetValue;
  get.key = util::to_bytes("/v/x");
  auto get_response = server_.handle_request(get, make_peer_id(1), now_);
  ASSERT_TRUE(get_response.ok() && get_response->has_value());
  EXPECT_FALSE((*get_response)->record.has_value());
  EXPECT_EQ((*get_response)->closer_peers.size(), 20u);
}

TEST_F(DhtServerTest, UnknownTypesAreErrors) {
  Message odd;
  odd.type = static_cast<MessageType>(42);
  EXPECT_FALSE(server_.handle_request(odd, make_peer_id(1), now_).ok());
}

}  // namespace
}  // namespace edgevpn::p2p::kad
