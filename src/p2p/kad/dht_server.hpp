// The server side of /ipfs/kad/1.0.0: answers one request from a remote peer using the routing
// table and the provider store, as go-libp2p-kad-dht's handlers do. No I/O.
#pragma once

#include <optional>
#include <vector>

#include "p2p/kad/kad_message.hpp"
#include "p2p/kad/provider_store.hpp"
#include "p2p/kad/routing_table.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::kad {

class DhtServer {
 public:
  DhtServer(RoutingTable& table, ProviderStore& providers) : table_(table), providers_(providers) {}

  // Our own addresses, returned when a peer looks for our ID.
  void set_self_addrs(std::vector<Multiaddr> addrs) { self_addrs_ = std::move(addrs); }

  // The response to write back, or nullopt when the protocol sends none (ADD_PROVIDER). An error
  // means: reset the stream (go does the same for bad keys and for values we do not store).
  //  FIND_NODE      k closest peers to sha256(key) (ourselves when key is our ID), never the
  //                 requester nor us.
  //  GET_PROVIDERS  unexpired providers of key + k closer peers.
  //  ADD_PROVIDER   stores each provider entry whose ID is the sender's and has addresses.
  //  PING           echoes the request.
  //  GET_VALUE      no record (we store no values), k closer peers.
  //  PUT_VALUE      kUnsupported.
  util::Result<std::optional<Message>> handle_request(const Message& request,
                                                      const crypto::PeerId& from,
                                                      util::SteadyTime now);

 private:
  std::vector<PeerInfo> closer_peers(const util::Bytes& key, const crypto::PeerId& from) const;

  RoutingTable& table_;
  ProviderStore& providers_;
  std::vector<Multiaddr> self_addrs_;
};

}  // namespace edgevpn::p2p::kad
