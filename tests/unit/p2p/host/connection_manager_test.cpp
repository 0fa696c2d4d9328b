// The connection manager: the trim choice as a pure function, then trimming over real hosts.
#include "p2p/host/connection_manager.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "io_thread.hpp"

namespace edgevpn::p2p::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::IoThread;

crypto::PeerId make_peer() {
  return crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key());
}

std::vector<TrimCandidate> candidates(size_t count, Clock::time_point now) {
  std::vector<TrimCandidate> out;
  for (size_t i = 0; i < count; ++i) {
    // Peer i connected i minutes ago: the last one is the oldest.
    out.push_back(TrimCandidate{make_peer(), now - std::chrono::minutes(i + 2), false});
  }
  return out;
}

TEST(SelectPeersToTrim, NothingAtOrBelowTheHighWater) {
  const auto now = Clock::now();
  EXPECT_TRUE(select_peers_to_trim(candidates(5, now), 2, 5, 0ms, now).empty());
  EXPECT_TRUE(select_peers_to_trim({}, 0, 0, 0ms, now).empty());
}

TEST(SelectPeersToTrim, ClosesTheNewestDownToTheLowWater) {
  const auto now = Clock::now();
  auto peers = candidates(6, now);
  auto trimmed = select_peers_to_trim(peers, 2, 5, 0ms, now);
  ASSERT_EQ(trimmed.size(), 4u);
  // Newest first: peers 0..3; the two oldest stay.
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(trimmed[i], peers[i].peer);
}

TEST(SelectPeersToTrim, SparesProtectedPeersAndPeersInTheirGracePeriod) {
  const auto now = Clock::now();
  auto peers = candidates(6, now);
  peers[0].connected_at = now - 10s;  // within the grace period below
  peers[1].is_protected = true;
  peers[2].is_protected = true;
  auto trimmed = select_peers_to_trim(peers, 1, 3, 60s, now);
  // Five must go, but only peers 3, 4 and 5 may.
  ASSERT_EQ(trimmed.size(), 3u);
  for (const auto& peer : trimmed) {
    EXPECT_NE(peer, peers[0].peer);
    EXPECT_NE(peer, peers[1].peer);
    EXPECT_NE(peer, peers[2].peer);
  }
}

Multiaddr loopback() {
  return *Multiaddr::from_tcp("127.0.0.1", 0);
}

TEST(ConnectionManager, TrimsRealConnectionsOverTheHighWaterAndKeepsProtectedPeers) {
  IoThread io;
  HostConfig config;
  config.listen_addrs = {loopback()};
  Host hub(io.io(), crypto::PrivateKey::generate_ed25519(), config);
  std::vector<std::unique_ptr<Host>> spokes;
  for (int i = 0; i < 4; ++i) {
    spokes.push_back(
        std::make_unique<Host>(io.io(), crypto::PrivateKey::generate_ed25519(), config));
  }
  ASSERT_TRUE(io.call([&] { return hub.start(); }).ok());
  const auto protected_peer = spokes[1]->peer_id();
  ConnectionManagerConfig manager_config;
  manager_config.low_water = 2;
  manager_config.high_water = 3;
  manager_config.grace = 0ms;
  manager_config.check_interval = 1h;  // only the connect-triggered check runs
  ConnectionManager manager(io.io(), hub, manager_config);
  io.call([&] {
    manager.protect_if([&](const crypto::PeerId& peer) { return peer == protected_peer; });
    manager.start();
    return 0;
  });
  const auto hub_addr =
      io.call([&] { return hub.listen_addrs().front().with_peer_id(hub.peer_id()); });
  for (auto& spoke : spokes) {
    ASSERT_TRUE(io.call([&] { return spoke->start(); }).ok());
    ASSERT_TRUE(io.run(spoke->connect(hub_addr)).ok());
  }
  // Four peers > 3: trimmed to 2, the protected one among them.
  ASSERT_TRUE(io.wait_until([&] { return hub.connected_peers().size() == 2; }));
  EXPECT_TRUE(io.call([&] { return hub.is_connected(protected_peer); }));
  EXPECT_EQ(io.call([&] { return manager.stats().peers_closed; }), 2u);
  // Under the high water nothing more goes.
  EXPECT_EQ(io.run(manager.trim()), 0u);
  io.call([&] {
    manager.stop();
    return 0;
  });
  for (auto& spoke : spokes) io.run(spoke->close());
  io.run(hub.close());
  io.stop();
}

}  // namespace
}  // namespace edgevpn::p2p::host
