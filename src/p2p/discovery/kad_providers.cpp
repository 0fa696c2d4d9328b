// Providing: provider records, announced and looked up.
#include <algorithm>

#include "p2p/discovery/kad_core.hpp"

namespace edgevpn::p2p::discovery {

using util::Errc;
using util::make_error;
using Clock = std::chrono::steady_clock;

asio::awaitable<void> Providing::add_provider_to(std::shared_ptr<KadCore> self,
                                                 std::shared_ptr<FanOut> fan, kad::PeerInfo peer,
                                                 kad::Message request) {
  auto sent = co_await self->requests.send(std::move(peer), std::move(request));
  if (sent) ++fan->succeeded;
  --fan->pending;
  fan->wake.notify();
}

asio::awaitable<util::Result<size_t>> Providing::provide(util::Bytes key) {
  if (key.empty() || key.size() > kad::kMaxProviderKeySize) {
    co_return make_error(Errc::kInvalidArgument, "provider key must be 1 to 80 bytes");
  }
  core_.update_self_addrs();
  const kad::PeerInfo self_info{core_.host.peer_id(), core_.self_addrs(),
                                kad::ConnectionType::kConnected};
  (void)core_.providers.add(key, self_info, Clock::now());
  auto run = co_await core_.lookups.run(kad::MessageType::kFindNode, key, 1);
  if (core_.stopped) co_return make_error(Errc::kClosed, "DHT stopped");
  const auto closest = run->lookup.closest();
  if (closest.empty()) co_return make_error(Errc::kNotFound, "no DHT peer to provide to");
  auto fan = std::make_shared<FanOut>(core_.executor);
  const auto request = kad::make_add_provider(key, self_info);
  auto self = core_.shared_from_this();
  for (const auto& peer : closest) {
    ++fan->pending;
    core_.tasks->spawn(add_provider_to(self, fan, peer, request), "add provider");
  }
  const auto give_up = Clock::now() + core_.config.query_timeout;
  while (fan->pending > 0 && Clock::now() < give_up && !core_.stopped) {
    co_await fan->wake.wait_until(give_up);
  }
  if (fan->succeeded == 0) co_return make_error(Errc::kNotFound, "no peer took the record");
  co_return fan->succeeded;
}

asio::awaitable<util::Result<std::vector<kad::PeerInfo>>> Providing::find_providers(util::Bytes key,
                                                                                    size_t limit) {
  if (key.empty() || key.size() > kad::kMaxProviderKeySize) {
    co_return make_error(Errc::kInvalidArgument, "provider key must be 1 to 80 bytes");
  }
  limit = std::max<size_t>(1, limit);
  std::vector<kad::PeerInfo> found = core_.providers.get(key, Clock::now());
  if (found.size() > limit) found.resize(limit);
  if (found.size() < limit) {
    auto run = co_await core_.lookups.run(kad::MessageType::kGetProviders, key, limit);
    if (core_.stopped) co_return make_error(Errc::kClosed, "DHT stopped");
    for (const auto& provider : run->lookup.providers()) {
      if (found.size() >= limit) break;
      const bool known = std::any_of(found.begin(), found.end(),
                                     [&](const kad::PeerInfo& p) { return p.id == provider.id; });
      if (!known) found.push_back(provider);
    }
  }
  for (auto& provider : found) {
    core_.requests.remember(provider);
    if (provider.addrs.empty()) provider.addrs = core_.host.peerstore().addrs(provider.id);
  }
  co_return found;
}

}  // namespace edgevpn::p2p::discovery
