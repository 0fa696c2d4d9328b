// Iterative Kademlia lookup (FIND_NODE or GET_PROVIDERS) as a state machine: it says which peers
// to ask next (at most alpha in flight), takes their answers, failures and the passing of time,
// and ends when the k closest peers it has seen have all answered, when nothing is left to ask,
// or (GET_PROVIDERS) when enough providers were found. No I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "p2p/kad/kad_message.hpp"
#include "p2p/kad/keyspace.hpp"
#include "util/clock.hpp"

namespace edgevpn::p2p::kad {

struct LookupConfig {
  size_t k = 20;
  size_t alpha = 3;
  std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(10);
  // GET_PROVIDERS stops once this many distinct providers are known (EdgeVPN asks for 100).
  size_t provider_limit = 100;
};

struct LookupRequest {
  PeerInfo peer;  // who to ask, with the addresses we know
  Message message;
};

class Lookup {
 public:
  // `type` is kFindNode (key = target peer ID bytes) or kGetProviders (key = multihash bytes).
  // `seeds` usually come from RoutingTable::closest(); `self` is never queried.
  Lookup(MessageType type, util::Bytes key, crypto::PeerId self, const std::vector<PeerInfo>& seeds,
         LookupConfig config = {});

  // Requests to send now; also fails requests whose timeout passed.
  std::vector<LookupRequest> next_requests(util::SteadyTime now);
  // A peer answered. Answers from peers we did not ask are ignored.
  void on_response(const crypto::PeerId& peer, const Message& response, util::SteadyTime now);
  // Dial, stream or decode failure.
  void on_failure(const crypto::PeerId& peer);

  bool done() const;
  // When the earliest in-flight request times out (nullopt when none is in flight).
  std::optional<util::SteadyTime> next_deadline() const;
  // Up to k peers that answered, closest to the key first.
  std::vector<PeerInfo> closest() const;
  // Providers found so far (GET_PROVIDERS), in discovery order, at most provider_limit.
  const std::vector<PeerInfo>& providers() const { return providers_; }
  // Peers that answered successfully (server-mode DHT peers, candidates for the routing table).
  std::vector<PeerInfo> responders() const;

  const util::Bytes& key() const { return key_; }
  MessageType type() const { return type_; }
  size_t in_flight() const { return in_flight_; }

 private:
  enum class State { kCandidate, kWaiting, kSucceeded, kFailed };
  struct Candidate {
    PeerInfo peer;
    State state = State::kCandidate;
    util::SteadyTime deadline{};
  };
  // Keyed by distance to the target so iteration is closest first.
  using Table = std::map<Key, Candidate>;

  void add_candidate(const PeerInfo& peer);
  Table::iterator find(const crypto::PeerId& id);

  MessageType type_;
  util::Bytes key_;
  Key target_{};
  crypto::PeerId self_;
  LookupConfig config_;
  Table peers_;
  size_t in_flight_ = 0;
  std::vector<PeerInfo> providers_;
  // Bounds memory against peers that answer with floods of junk candidates.
  static constexpr size_t kMaxCandidates = 4096;
};

}  // namespace edgevpn::p2p::kad
