// Kademlia message encoding and decoding on top of the generated protobuf (kad_dht.proto).
#include "p2p/kad/kad_message.hpp"

#include "kad_dht.pb.h"  // protobuf_generate writes generated headers flat
#include "util/varint.hpp"

namespace edgevpn::p2p::kad {
namespace {

std::string to_std_string(const util::Bytes& bytes) {
  return {bytes.begin(), bytes.end()};
}
util::Bytes from_std_string(const std::string& s) {
  return {s.begin(), s.end()};
}

void to_proto_peer(const PeerInfo& peer, pb::Message::Peer* out) {
  out->set_id(to_std_string(peer.id.bytes()));
  for (const auto& addr : peer.addrs) out->add_addrs(to_std_string(addr.bytes()));
  out->set_connection(static_cast<pb::Message::ConnectionType>(peer.connection));
}

std::optional<PeerInfo> from_proto_peer(const pb::Message::Peer& peer) {
  auto id = crypto::PeerId::from_bytes(util::as_bytes(peer.id()));
  if (!id.ok()) return std::nullopt;
  PeerInfo info;
  info.id = std::move(id).value();
  for (const auto& raw : peer.addrs()) {
    auto addr = Multiaddr::from_bytes(util::as_bytes(raw));
    if (addr.ok()) info.addrs.push_back(std::move(addr).value());
  }
  info.connection = static_cast<ConnectionType>(peer.connection());
  return info;
}

}  // namespace

util::Bytes encode(const Message& message) {
  pb::Message msg;
  msg.set_type(static_cast<pb::Message::MessageType>(message.type));
  msg.set_clusterlevelraw(message.cluster_level_raw);
  msg.set_key(to_std_string(message.key));
  if (message.record) {
    auto* record = msg.mutable_record();
    record->set_key(to_std_string(message.record->key));
    record->set_value(to_std_string(message.record->value));
    record->set_timereceived(message.record->time_received);
  }
  for (const auto& peer : message.closer_peers) to_proto_peer(peer, msg.add_closerpeers());
  for (const auto& peer : message.provider_peers) to_proto_peer(peer, msg.add_providerpeers());
  return from_std_string(msg.SerializeAsString());
}

util::Bytes encode_framed(const Message& message) {
  const util::Bytes body = encode(message);
  util::Bytes out;
  out.reserve(body.size() + util::uvarint_size(body.size()));
  util::put_uvarint(out, body.size());
  util::append(out, body);
  return out;
}

util::Result<Message> decode(util::ByteView protobuf) {
  if (protobuf.size() > kMaxMessageSize) {
    return util::make_error(util::Errc::kTooLarge, "kad message over 4 MiB");
  }
  pb::Message msg;
  if (!msg.ParseFromArray(protobuf.data(), static_cast<int>(protobuf.size()))) {
    return util::make_error(util::Errc::kMalformed, "kad protobuf does not parse");
  }
  Message out;
  out.type = static_cast<MessageType>(msg.type());
  out.cluster_level_raw = msg.clusterlevelraw();
  out.key = from_std_string(msg.key());
  if (msg.has_record()) {
    out.record = Record{from_std_string(msg.record().key()), from_std_string(msg.record().value()),
                        msg.record().timereceived()};
  }
  for (const auto& peer : msg.closerpeers()) {
    if (auto info = from_proto_peer(peer)) out.closer_peers.push_back(std::move(*info));
  }
  for (const auto& peer : msg.providerpeers()) {
    if (auto info = from_proto_peer(peer)) out.provider_peers.push_back(std::move(*info));
  }
  return out;
}

util::Result<Frame> read_frame(util::ByteView buffer, size_t max_size) {
  EDGEVPN_TRY_ASSIGN(length, util::read_uvarint(buffer));
  if (length.value > max_size) {
    return util::make_error(util::Errc::kTooLarge, "kad message length over the limit");
  }
  const auto body_size = static_cast<size_t>(length.value);
  if (buffer.size() - length.length < body_size) {
    return util::make_error(util::Errc::kTruncated, "kad message incomplete");
  }
  EDGEVPN_TRY_ASSIGN(message, decode(buffer.subspan(length.length, body_size)));
  return Frame{std::move(message), length.length + body_size};
}

std::string_view message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kPutValue: return "PUT_VALUE";
    case MessageType::kGetValue: return "GET_VALUE";
    case MessageType::kAddProvider: return "ADD_PROVIDER";
    case MessageType::kGetProviders: return "GET_PROVIDERS";
    case MessageType::kFindNode: return "FIND_NODE";
    case MessageType::kPing: return "PING";
  }
  return "UNKNOWN";
}

PeerInfo capped(PeerInfo peer) {
  std::erase_if(peer.addrs,
                [](const Multiaddr& addr) { return addr.bytes().size() > kMaxAddrBytes; });
  if (peer.addrs.size() > kMaxAddrsPerPeer) peer.addrs.resize(kMaxAddrsPerPeer);
  return peer;
}

Message make_find_node(const crypto::PeerId& target) {
  Message message;
  message.type = MessageType::kFindNode;
  message.key = target.bytes();
  return message;
}

Message make_get_providers(util::Bytes key) {
  Message message;
  message.type = MessageType::kGetProviders;
  message.key = std::move(key);
  return message;
}

Message make_add_provider(util::Bytes key, const PeerInfo& self) {
  Message message;
  message.type = MessageType::kAddProvider;
  message.key = std::move(key);
  message.provider_peers.push_back(self);
  return message;
}

}  // namespace edgevpn::p2p::kad
