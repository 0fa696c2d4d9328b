// Request handlers of the DHT server.
#include "p2p/kad/dht_server.hpp"

namespace edgevpn::p2p::kad {
namespace {

util::Status check_provider_key(const util::Bytes& key) {
  if (key.empty()) return util::make_error(util::Errc::kProtocol, "provider key is empty");
  if (key.size() > kMaxProviderKeySize) {
    return util::make_error(util::Errc::kProtocol, "provider key over 80 bytes");
  }
  return {};
}

}  // namespace

std::vector<PeerInfo> DhtServer::closer_peers(const util::Bytes& key,
                                              const crypto::PeerId& from) const {
  // The table never holds ourselves; the requester already knows itself.
  return table_.closest(key_for_bytes(key), table_.bucket_size(), &from);
}

util::Result<std::optional<Message>> DhtServer::handle_request(const Message& request,
                                                               const crypto::PeerId& from,
                                                               util::SteadyTime now) {
  Message response;
  response.type = request.type;
  response.cluster_level_raw = request.cluster_level_raw;
  switch (request.type) {
    case MessageType::kFindNode: {
      if (request.key == table_.self().bytes()) {
        response.closer_peers.push_back(
            PeerInfo{table_.self(), self_addrs_, ConnectionType::kConnected});
      } else {
        response.closer_peers = closer_peers(request.key, from);
      }
      return std::optional<Message>(std::move(response));
    }
    case MessageType::kGetProviders: {
      EDGEVPN_TRY(check_provider_key(request.key));
      response.key = request.key;
      response.provider_peers = providers_.get(request.key, now);
      response.closer_peers = closer_peers(request.key, from);
      return std::optional<Message>(std::move(response));
    }
    case MessageType::kAddProvider: {
      EDGEVPN_TRY(check_provider_key(request.key));
      for (const auto& provider : request.provider_peers) {
        if (provider.id != from || provider.addrs.empty()) continue;  // only self-announcements
        // A full store is our limit, not the peer's fault: the announcement is simply not kept.
        (void)providers_.add(request.key, provider, now);
      }
      return std::optional<Message>();
    }
    case MessageType::kPing: return std::optional<Message>(request);
    case MessageType::kGetValue: {
      if (request.key.empty())
        return util::make_error(util::Errc::kProtocol, "GET_VALUE without key");
      response.key = request.key;
      response.closer_peers = closer_peers(request.key, from);
      return std::optional<Message>(std::move(response));
    }
    case MessageType::kPutValue:
      return util::make_error(util::Errc::kUnsupported, "this node stores no DHT values");
  }
  return util::make_error(util::Errc::kProtocol, "unknown kad message type");
}

}  // namespace edgevpn::p2p::kad
