// k-bucket routing table with ping-before-evict replacement.
#include "p2p/kad/routing_table.hpp"

#include <algorithm>

namespace edgevpn::p2p::kad {

RoutingTable::RoutingTable(crypto::PeerId self, size_t bucket_size)
    : self_(std::move(self)), self_key_(key_for_peer(self_)), bucket_size_(bucket_size) {}

int RoutingTable::bucket_index(const crypto::PeerId& id) const {
  return std::min(common_prefix_length(self_key_, key_for_peer(id)), kKeyBits - 1);
}

RoutingTable::Bucket& RoutingTable::bucket_for(const Key& key) {
  const int index = std::min(common_prefix_length(self_key_, key), kKeyBits - 1);
  return buckets_[static_cast<size_t>(index)];
}

RoutingTable::UpdateResult RoutingTable::update(const PeerInfo& peer, util::SteadyTime now) {
  if (peer.id.empty() || peer.id == self_) return {};
  const Key key = key_for_peer(peer.id);
  Bucket& bucket = bucket_for(key);
  auto it = std::find_if(bucket.members.begin(), bucket.members.end(),
                         [&](const RoutingEntry& e) { return e.peer.id == peer.id; });
  if (it != bucket.members.end()) {
    RoutingEntry entry = std::move(*it);
    bucket.members.erase(it);
    if (!peer.addrs.empty()) entry.peer.addrs = capped(peer).addrs;
    entry.last_seen = now;
    bucket.members.push_back(std::move(entry));
    if (bucket.pinging == peer.id) {
      // The member we were probing showed it is alive: it stays, the candidate goes.
      bucket.pinging.reset();
      bucket.candidate.reset();
    }
    return {Outcome::kRefreshed, std::nullopt};
  }
  if (bucket.members.size() < bucket_size_) {
    bucket.members.push_back(RoutingEntry{capped(peer), key, now});
    return {Outcome::kAdded, std::nullopt};
  }
  if (bucket.pinging) {
    // One eviction at a time per bucket; later newcomers are dropped until the ping resolves.
    if (bucket.candidate && bucket.candidate->peer.id == peer.id) bucket.candidate->last_seen = now;
    return {};
  }
  bucket.candidate = RoutingEntry{capped(peer), key, now};
  bucket.pinging = bucket.members.front().peer.id;
  return {Outcome::kPingOldest, bucket.members.front().peer};
}

void RoutingTable::on_ping_success(const crypto::PeerId& id, util::SteadyTime now) {
  Bucket& bucket = bucket_for(key_for_peer(id));
  auto it = std::find_if(bucket.members.begin(), bucket.members.end(),
                         [&](const RoutingEntry& e) { return e.peer.id == id; });
  if (it != bucket.members.end()) {
    RoutingEntry entry = std::move(*it);
    bucket.members.erase(it);
    entry.last_seen = now;
    bucket.members.push_back(std::move(entry));
  }
  if (bucket.pinging == id) {
    bucket.pinging.reset();
    bucket.candidate.reset();
  }
}

void RoutingTable::remove(const crypto::PeerId& id, util::SteadyTime now) {
  Bucket& bucket = bucket_for(key_for_peer(id));
  auto it = std::find_if(bucket.members.begin(), bucket.members.end(),
                         [&](const RoutingEntry& e) { return e.peer.id == id; });
  if (it == bucket.members.end()) return;
  bucket.members.erase(it);
  if (bucket.candidate) {
    bucket.candidate->last_seen = std::max(bucket.candidate->last_seen, now);
    bucket.members.push_back(std::move(*bucket.candidate));
    bucket.candidate.reset();
  }
  bucket.pinging.reset();  // a ping only ever guards the candidate just promoted or dropped
}

const RoutingEntry* RoutingTable::find(const crypto::PeerId& id) const {
  const Bucket& bucket = buckets_[static_cast<size_t>(bucket_index(id))];
  for (const auto& entry : bucket.members) {
    if (entry.peer.id == id) return &entry;
  }
  return nullptr;
}

bool RoutingTable::contains(const crypto::PeerId& id) const {
  return find(id) != nullptr;
}

size_t RoutingTable::size() const {
  size_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.members.size();
  return total;
}

std::vector<PeerInfo> RoutingTable::closest(const Key& target, size_t count,
                                            const crypto::PeerId* exclude) const {
  std::vector<const RoutingEntry*> entries;
  for (const auto& bucket : buckets_) {
    for (const auto& entry : bucket.members) {
      if (exclude != nullptr && entry.peer.id == *exclude) continue;
      entries.push_back(&entry);
    }
  }
  const size_t n = std::min(count, entries.size());
  std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(n),
                    entries.end(), [&](const RoutingEntry* a, const RoutingEntry* b) {
                      return closer_to(target, a->key, b->key);
                    });
  std::vector<PeerInfo> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(entries[i]->peer);
  return out;
}

std::vector<PeerInfo> RoutingTable::all() const {
  std::vector<PeerInfo> out;
  for (const auto& bucket : buckets_) {
    for (const auto& entry : bucket.members) out.push_back(entry.peer);
  }
  return out;
}

}  // namespace edgevpn::p2p::kad
