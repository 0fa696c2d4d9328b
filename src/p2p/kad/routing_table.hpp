// Kademlia routing table: 256 k-buckets indexed by the common prefix length of a peer's key with
// ours. Only peers known to serve /ipfs/kad/1.0.0 belong here. A full bucket keeps its members
// and parks the newcomer as a candidate while its least recently seen member is pinged: a failed
// ping lets the candidate in, an answer keeps the old member (Kademlia's preference for old peers).
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "p2p/kad/kad_message.hpp"
#include "p2p/kad/keyspace.hpp"
#include "util/clock.hpp"

namespace edgevpn::p2p::kad {

inline constexpr size_t kBucketSize = 20;  // k

struct RoutingEntry {
  PeerInfo peer;
  Key key{};
  util::SteadyTime last_seen{};
};

class RoutingTable {
 public:
  enum class Outcome {
    kAdded,       // new member of its bucket
    kRefreshed,   // already a member: addresses and last-seen updated
    kPingOldest,  // bucket full: candidate parked, ping `to_ping` and report the result
    kIgnored,     // ourselves, or the bucket is full and already has a ping under way
  };
  struct UpdateResult {
    Outcome outcome = Outcome::kIgnored;
    std::optional<PeerInfo> to_ping;
  };

  explicit RoutingTable(crypto::PeerId self, size_t bucket_size = kBucketSize);

  // A peer that speaks the DHT in server mode was seen (it answered us, or identify says so).
  UpdateResult update(const PeerInfo& peer, util::SteadyTime now);
  // The pinged member answered: it stays (moved to most recently seen), the candidate is dropped.
  void on_ping_success(const crypto::PeerId& id, util::SteadyTime now);
  // The pinged member did not answer (or any member became unreachable): it is removed and the
  // bucket's candidate, if any, takes its place.
  void remove(const crypto::PeerId& id, util::SteadyTime now);

  bool contains(const crypto::PeerId& id) const;
  const RoutingEntry* find(const crypto::PeerId& id) const;
  size_t size() const;
  // The up to `count` members closest to `target`, closest first; `exclude` is left out.
  std::vector<PeerInfo> closest(const Key& target, size_t count,
                                const crypto::PeerId* exclude = nullptr) const;
  std::vector<PeerInfo> all() const;

  const crypto::PeerId& self() const { return self_; }
  const Key& self_key() const { return self_key_; }
  size_t bucket_size() const { return bucket_size_; }
  // The bucket a peer falls in (its common prefix length with us, at most 255).
  int bucket_index(const crypto::PeerId& id) const;
  size_t bucket_count(int index) const {
    return buckets_[static_cast<size_t>(index)].members.size();
  }

 private:
  struct Bucket {
    std::deque<RoutingEntry> members;  // least recently seen first
    std::optional<RoutingEntry> candidate;
    std::optional<crypto::PeerId> pinging;
  };
  Bucket& bucket_for(const Key& key);

  crypto::PeerId self_;
  Key self_key_{};
  size_t bucket_size_;
  std::array<Bucket, kKeyBits> buckets_;
};

}  // namespace edgevpn::p2p::kad
