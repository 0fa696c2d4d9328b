// Tests for the provider store: storage, refresh, 48 h expiry and limits.
#include "p2p/kad/provider_store.hpp"

#include <gtest/gtest.h>

#include "kad_test_util.hpp"

namespace edgevpn::p2p::kad {
namespace {

using testing::make_peer;
using namespace std::chrono_literals;

const util::Bytes kKey = util::to_bytes("\x12\x20multihash-of-the-rendezvous-0000");

TEST(ProviderStore, ReturnsStoredProvidersWithTheirAddresses) {
  ProviderStore store;
  const util::SteadyTime now{};
  ASSERT_TRUE(store.add(kKey, make_peer(1), now).ok());
  auto providers = store.get(kKey, now);
  ASSERT_EQ(providers.size(), 1u);
  EXPECT_EQ(providers[0], make_peer(1));
  EXPECT_TRUE(store.get(util::to_bytes("other"), now).empty());
}

TEST(ProviderStore, RecordsExpireAfter48Hours) {
  ProviderStore store;
  const util::SteadyTime start{};
  ASSERT_TRUE(store.add(kKey, make_peer(1), start).ok());
  EXPECT_EQ(store.get(kKey, start + 48h - 1s).size(), 1u);
  EXPECT_TRUE(store.get(kKey, start + 48h).empty());
  store.expire(start + 48h);
  EXPECT_EQ(store.key_count(), 0u);
}

TEST(ProviderStore, ReannouncingRefreshesTheExpiryWithoutDuplicating) {
  ProviderStore store;
  const util::SteadyTime start{};
  ASSERT_TRUE(store.add(kKey, make_peer(1), start).ok());
  ASSERT_TRUE(store.add(kKey, make_peer(1), start + 24h).ok());
  EXPECT_EQ(store.record_count(), 1u);
  EXPECT_EQ(store.get(kKey, start + 60h).size(), 1u);
}

TEST(ProviderStore, RejectsEmptyAndOverlongKeys) {
  ProviderStore store;
  EXPECT_FALSE(store.add(util::Bytes{}, make_peer(1), {}).ok());
  EXPECT_FALSE(store.add(util::Bytes(81, 1), make_peer(1), {}).ok());
  EXPECT_TRUE(store.add(util::Bytes(80, 1), make_peer(1), {}).ok());
}

TEST(ProviderStore, EnforcesLimitsButReusesExpiredRoom) {
  ProviderStore store(ProviderStoreLimits{1h, 2, 2});
  const util::SteadyTime start{};
  ASSERT_TRUE(store.add(util::to_bytes("a"), make_peer(1), start).ok());
  ASSERT_TRUE(store.add(util::to_bytes("b"), make_peer(1), start).ok());
  EXPECT_EQ(store.add(util::to_bytes("c"), make_peer(1), start).error().code,
            util::Errc::kTooLarge);
  ASSERT_TRUE(store.add(util::to_bytes("a"), make_peer(2), start).ok());
  EXPECT_EQ(store.add(util::to_bytes("a"), make_peer(3), start).error().code,
            util::Errc::kTooLarge);
  EXPECT_TRUE(store.add(util::to_bytes("c"), make_peer(1), start + 2h).ok());
}

}  // namespace
}  // namespace edgevpn::p2p::kad
