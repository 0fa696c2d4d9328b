// Provider record storage with expiry.
#include "p2p/kad/provider_store.hpp"

#include <algorithm>

namespace edgevpn::p2p::kad {

util::Status ProviderStore::add(util::ByteView key, const PeerInfo& provider,
                                util::SteadyTime now) {
  if (key.empty() || key.size() > kMaxProviderKeySize) {
    return util::make_error(util::Errc::kInvalidArgument, "provider key empty or over 80 bytes");
  }
  util::Bytes key_bytes(key.begin(), key.end());
  auto it = records_.find(key_bytes);
  if (it == records_.end()) {
    if (records_.size() >= limits_.max_keys) expire(now);
    if (records_.size() >= limits_.max_keys) {
      return util::make_error(util::Errc::kTooLarge, "provider store full");
    }
    it = records_.emplace(std::move(key_bytes), std::vector<Entry>{}).first;
  }
  auto& entries = it->second;
  const util::SteadyTime expires = now + limits_.validity;
  for (auto& entry : entries) {
    if (entry.provider.id == provider.id) {
      if (!provider.addrs.empty()) entry.provider.addrs = capped(provider).addrs;
      entry.expires = expires;
      return {};
    }
  }
  if (entries.size() >= limits_.max_providers_per_key) {
    std::erase_if(entries, [&](const Entry& e) { return e.expires <= now; });
  }
  if (entries.size() >= limits_.max_providers_per_key) {
    return util::make_error(util::Errc::kTooLarge, "too many providers for key");
  }
  entries.push_back(Entry{capped(provider), expires});
  return {};
}

std::vector<PeerInfo> ProviderStore::get(util::ByteView key, util::SteadyTime now) const {
  auto it = records_.find(util::Bytes(key.begin(), key.end()));
  if (it == records_.end()) return {};
  std::vector<const Entry*> live;
  for (const auto& entry : it->second) {
    if (entry.expires > now) live.push_back(&entry);
  }
  std::stable_sort(live.begin(), live.end(),
                   [](const Entry* a, const Entry* b) { return a->expires > b->expires; });
  std::vector<PeerInfo> out;
  out.reserve(live.size());
  for (const Entry* entry : live) out.push_back(entry->provider);
  return out;
}

void ProviderStore::expire(util::SteadyTime now) {
  for (auto it = records_.begin(); it != records_.end();) {
    std::erase_if(it->second, [&](const Entry& e) { return e.expires <= now; });
    it = it->second.empty() ? records_.erase(it) : std::next(it);
  }
}

size_t ProviderStore::record_count() const {
  size_t total = 0;
  for (const auto& [key, entries] : records_) total += entries.size();
  return total;
}

}  // namespace edgevpn::p2p::kad
