// GossipSub protocol IDs and router parameters, with go-libp2p-pubsub's defaults (which
// js-libp2p gossipsub shares) and EdgeVPN's options (flood publish, peer exchange).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/peer_id.hpp"

namespace edgevpn::p2p::pubsub {

// The pubsub protocol a peer negotiated on its stream.
enum class Protocol {
  kFloodsub,   // /floodsub/1.0.0: messages only, no control
  kMeshsub10,  // /meshsub/1.0.0: mesh, gossip; PRUNE without backoff or PX
  kMeshsub11,  // /meshsub/1.1.0: + PRUNE backoff and peer exchange
  kMeshsub12,  // /meshsub/1.2.0: + IDONTWANT
};

inline constexpr std::string_view kMeshsub12Id = "/meshsub/1.2.0";
inline constexpr std::string_view kMeshsub11Id = "/meshsub/1.1.0";
inline constexpr std::string_view kMeshsub10Id = "/meshsub/1.0.0";
inline constexpr std::string_view kFloodsubId = "/floodsub/1.0.0";
// What we offer and accept, most preferred first (the set js-libp2p gossipsub 14 speaks).
inline constexpr std::array<std::string_view, 4> kSupportedProtocolIds = {
    kMeshsub12Id, kMeshsub11Id, kMeshsub10Id, kFloodsubId};

std::string_view protocol_id(Protocol protocol);
std::optional<Protocol> parse_protocol(std::string_view id);

enum class SignaturePolicy {
  kStrictSign,  // sign our messages; accept only messages with from, seqno and a valid signature
};

struct RouterConfig {
  // Mesh degree: target, low and high water marks, gossip fan-out, outbound quota.
  size_t d = 6;
  size_t d_low = 5;
  size_t d_high = 12;
  size_t d_lazy = 6;
  size_t d_out = 2;
  double gossip_factor = 0.25;

  std::chrono::milliseconds heartbeat_initial_delay{100};
  std::chrono::milliseconds heartbeat_interval{1000};
  size_t history_length = 5;  // mcache windows kept for IWANT
  size_t history_gossip = 3;  // mcache windows advertised in IHAVE
  std::chrono::milliseconds fanout_ttl{60'000};
  std::chrono::milliseconds seen_ttl{120'000};
  std::chrono::milliseconds prune_backoff{60'000};
  std::chrono::milliseconds unsubscribe_backoff{10'000};

  size_t gossip_retransmission = 3;      // IWANT replies per message and peer
  size_t max_ihave_length = 5000;        // message IDs per IHAVE, and IWANT IDs per peer/heartbeat
  size_t max_ihave_messages = 10;        // IHAVE RPCs handled per peer and heartbeat
  size_t max_idontwant_length = 10;      // IDONTWANT IDs handled per RPC
  size_t max_idontwant_messages = 1000;  // IDONTWANT RPCs handled per peer and heartbeat
  size_t idontwant_threshold = 1024;     // data size from which we send IDONTWANT
  size_t idontwant_ttl_heartbeats = 3;
  size_t prune_peers = 16;  // peers offered in PRUNE peer exchange
  // Peer exchange we act on: dials per minute from all PRUNEs together, and how long a peer
  // offered once is not dialled again (a PRUNE's records are self-signed: anyone can make many).
  size_t px_dials_per_minute = 16;
  std::chrono::seconds px_redial_after{600};
  size_t direct_connect_ticks = 300;

  bool flood_publish = true;
  bool peer_exchange = true;
  std::vector<crypto::PeerId> direct_peers;
  SignaturePolicy signature_policy = SignaturePolicy::kStrictSign;
  size_t max_message_size = 1 << 20;  // largest RPC we send; larger payloads are dropped
};

}  // namespace edgevpn::p2p::pubsub
