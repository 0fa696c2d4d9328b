// The Kademlia DHT message (/ipfs/kad/1.0.0) as a plain struct, with its protobuf encoding and the
// unsigned-varint length framing used on DHT streams. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::kad {

inline constexpr std::string_view kProtocolId = "/ipfs/kad/1.0.0";
// go-libp2p's network.MessageSizeMax and js-libp2p's default length-prefix limit: 4 MiB.
inline constexpr size_t kMaxMessageSize = 4 * 1024 * 1024;
// go-libp2p-kad-dht rejects provider keys longer than this (a multihash fits easily).
inline constexpr size_t kMaxProviderKeySize = 80;
// What we keep of a peer's advertised addresses (routing table, provider store, lookups): enough
// for any honest peer, and it bounds the memory a hostile one can make us hold.
inline constexpr size_t kMaxAddrsPerPeer = 16;
inline constexpr size_t kMaxAddrBytes = 256;

// Wire values of Message.MessageType. Unknown values survive decoding (proto3 open enum).
enum class MessageType : int32_t {
  kPutValue = 0,
  kGetValue = 1,
  kAddProvider = 2,
  kGetProviders = 3,
  kFindNode = 4,
  kPing = 5,
};

enum class ConnectionType : int32_t {
  kNotConnected = 0,
  kConnected = 1,
  kCanConnect = 2,
  kCannotConnect = 3,
};

struct PeerInfo {
  crypto::PeerId id;
  std::vector<Multiaddr> addrs;
  ConnectionType connection = ConnectionType::kNotConnected;

  bool operator==(const PeerInfo&) const = default;
};

struct Record {
  util::Bytes key;
  util::Bytes value;
  std::string time_received;

  bool operator==(const Record&) const = default;
};

struct Message {
  MessageType type = MessageType::kPutValue;
  int32_t cluster_level_raw = 0;
  util::Bytes key;
  std::optional<Record> record;
  std::vector<PeerInfo> closer_peers;
  std::vector<PeerInfo> provider_peers;

  bool operator==(const Message&) const = default;
};

// The bare protobuf.
util::Bytes encode(const Message& message);
// The protobuf preceded by its uvarint length, as written on the stream.
util::Bytes encode_framed(const Message& message);

// Decodes a bare protobuf. Peers whose ID is not a valid peer ID are dropped, and so are
// addresses that are not valid multiaddrs (as go-libp2p-kad-dht does); kTooLarge over
// kMaxMessageSize, kMalformed when the protobuf does not parse.
util::Result<Message> decode(util::ByteView protobuf);

struct Frame {
  Message message;
  size_t consumed = 0;  // prefix + body bytes
};

// Reads one length-prefixed message from the start of `buffer`. kTruncated when more bytes are
// needed (the caller keeps reading), kTooLarge as soon as the prefix announces more than
// `max_size`, other errors when the body does not decode.
util::Result<Frame> read_frame(util::ByteView buffer, size_t max_size = kMaxMessageSize);

std::string_view message_type_name(MessageType type);

// `peer` with at most kMaxAddrsPerPeer addresses of at most kMaxAddrBytes bytes each.
PeerInfo capped(PeerInfo peer);

// Requests as go-libp2p-kad-dht sends them. FIND_NODE's key is the target's peer ID bytes;
// provider keys are multihash bytes (EdgeVPN: 0x12 0x20 || SHA-256(rendezvous)).
Message make_find_node(const crypto::PeerId& target);
Message make_get_providers(util::Bytes key);
// ADD_PROVIDER carries the announcer itself, with the addresses it wants dialled, in providerPeers.
Message make_add_provider(util::Bytes key, const PeerInfo& self);

}  // namespace edgevpn::p2p::kad
