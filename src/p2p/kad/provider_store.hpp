// Provider records (who announced ADD_PROVIDER for which key), each valid 48 h from its last
// announcement (go-libp2p-kad-dht's amino default). Bounded: keys and providers per key are capped.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <vector>

#include "p2p/kad/kad_message.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::kad {

inline constexpr std::chrono::hours kProviderValidity{48};

struct ProviderStoreLimits {
  std::chrono::steady_clock::duration validity = kProviderValidity;
  size_t max_keys = 65536;
  size_t max_providers_per_key = 256;
};

class ProviderStore {
 public:
  explicit ProviderStore(ProviderStoreLimits limits = {}) : limits_(limits) {}

  // Adds or refreshes `provider` for `key` (addresses replaced when given). kInvalidArgument for an
  // empty or over-long key; kTooLarge when a limit is reached and nothing has expired to make room.
  util::Status add(util::ByteView key, const PeerInfo& provider, util::SteadyTime now);
  // Providers of `key` whose records have not expired, most recently announced first.
  std::vector<PeerInfo> get(util::ByteView key, util::SteadyTime now) const;
  // Drops expired records (cheap to call periodically, e.g. hourly).
  void expire(util::SteadyTime now);

  size_t key_count() const { return records_.size(); }
  size_t record_count() const;

 private:
  struct Entry {
    PeerInfo provider;
    util::SteadyTime expires{};
  };
  ProviderStoreLimits limits_;
  std::map<util::Bytes, std::vector<Entry>> records_;
};

}  // namespace edgevpn::p2p::kad
