// --blacklist: parsing, matching, and the host refusing listed peers and addresses both ways.
#include "p2p/host/blacklist.hpp"

#include <gtest/gtest.h>

#include "io_thread.hpp"
#include "p2p/host/host.hpp"

namespace edgevpn::p2p::host {
namespace {

using testing::IoThread;

Multiaddr addr(const char* text) {
  return *Multiaddr::parse(text);
}

TEST(IpPrefix, MatchesInsideItsPrefixOnly) {
  auto net = IpPrefix::parse("10.20.0.0/14");
  ASSERT_TRUE(net.ok());
  EXPECT_TRUE(net->contains(*ip_from_string("10.23.255.1")));
  EXPECT_FALSE(net->contains(*ip_from_string("10.24.0.1")));
  EXPECT_FALSE(net->contains(*ip_from_string("::1")));
  auto host = IpPrefix::parse("192.168.1.7");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->bits, 32u);
  EXPECT_FALSE(host->contains(*ip_from_string("192.168.1.8")));
  auto v6 = IpPrefix::parse("fd00::/8");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->contains(*ip_from_string("fd12::1")));
  EXPECT_FALSE(v6->contains(*ip_from_string("fe80::1")));
  EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0")->contains(*ip_from_string("8.8.8.8")));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33").ok());
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/").ok());
  EXPECT_FALSE(IpPrefix::parse("10.0.0/8").ok());
}

TEST(Blacklist, DecodesPeerIdsAndRejectsJunk) {
  const auto peer =
      crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key());
  const auto other =
      crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key());
  auto list = Blacklist::parse({"10.0.0.0/8", peer.to_base58()});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->blocks_peer(peer));
  EXPECT_FALSE(list->blocks_peer(other));
  EXPECT_TRUE(list->blocks_addr(addr("/ip4/10.1.2.3/tcp/4001")));
  EXPECT_FALSE(list->blocks_addr(addr("/ip4/11.1.2.3/tcp/4001")));
  EXPECT_TRUE(list->blocks_addr(addr("/ip4/11.1.2.3/tcp/4001").with_peer_id(peer)));
  EXPECT_FALSE(list->allows(addr("/ip4/11.1.2.3/tcp/4001"), &peer));
  EXPECT_TRUE(list->allows(addr("/ip4/11.1.2.3/tcp/4001"), &other));
  EXPECT_FALSE(Blacklist::parse({"not-a-peer-or-cidr"}).ok());
  EXPECT_TRUE(Blacklist::parse({}).value().empty());
}

class BlacklistHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HostConfig config;
    config.listen_addrs = {*Multiaddr::from_tcp("127.0.0.1", 0)};
    a_ = std::make_unique<Host>(io_.io(), crypto::PrivateKey::generate_ed25519(), config);
    b_ = std::make_unique<Host>(io_.io(), crypto::PrivateKey::generate_ed25519(), config);
    ASSERT_TRUE(io_.call([&] { return a_->start(); }).ok());
    ASSERT_TRUE(io_.call([&] { return b_->start(); }).ok());
  }
  void TearDown() override {
    io_.run(a_->close());
    io_.run(b_->close());
    io_.stop();
  }
  Multiaddr address_of(Host& host) {
    return io_.call([&] { return host.listen_addrs().front().with_peer_id(host.peer_id()); });
  }
  void blacklist(Host& host, std::vector<std::string> entries) {
    auto list = Blacklist::parse(entries);
    ASSERT_TRUE(list.ok());
    io_.call([&] {
      host.set_connection_gate([list = *list](const Multiaddr& remote, const crypto::PeerId* peer) {
        return list.allows(remote, peer);
      });
      return 0;
    });
  }

  IoThread io_;
  std::unique_ptr<Host> a_;
  std::unique_ptr<Host> b_;
};

TEST_F(BlacklistHostTest, ListedPeerCanNeitherDialNorBeDialled) {
  blacklist(*b_, {a_->peer_id().to_base58()});
  // a -> b: b refuses the inbound connection once a's identity is proven.
  auto inbound = io_.run(a_->connect(address_of(*b_)));
  EXPECT_FALSE(io_.wait_until([&] { return b_->is_connected(a_->peer_id()); },
                              std::chrono::milliseconds(500)));
  (void)inbound;
  EXPECT_FALSE(io_.call([&] { return b_->is_connected(a_->peer_id()); }));
  EXPECT_GE(io_.call([&] { return b_->stats().rejected_connections; }), 1u);
  // b -> a: refused before dialling (the address names a) ...
  EXPECT_FALSE(io_.run(b_->connect(address_of(*a_))).ok());
  // ... and after the handshake when the address does not name it.
  EXPECT_FALSE(io_.run(b_->connect(address_of(*a_).without_peer_id())).ok());
  EXPECT_FALSE(io_.call([&] { return b_->is_connected(a_->peer_id()); }));
}

TEST_F(BlacklistHostTest, ListedNetworkIsRefusedAndOthersAreNot) {
  blacklist(*b_, {"10.0.0.0/8"});
  EXPECT_TRUE(io_.run(b_->connect(address_of(*a_))).ok());  // 127.0.0.1 is not listed
  blacklist(*a_, {"127.0.0.0/8"});
  io_.run(b_->disconnect(a_->peer_id()));
  EXPECT_FALSE(io_.run(a_->connect(address_of(*b_))).ok());
  auto inbound = io_.run(b_->connect(address_of(*a_)));
  EXPECT_FALSE(io_.wait_until([&] { return a_->is_connected(b_->peer_id()); },
                              std::chrono::milliseconds(500)));
  (void)inbound;
}

}  // namespace
}  // namespace edgevpn::p2p::host
