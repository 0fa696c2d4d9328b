// Identify message encoding and decoding on top of the generated protobuf.
#include "p2p/identify/identify_message.hpp"

#include "identify.pb.h"  // protobuf_generate writes generated headers flat
#include "util/varint.hpp"

namespace edgevpn::p2p::identify {
namespace {

std::string to_std_string(const util::Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }
util::Bytes from_std_string(const std::string& s) { return util::Bytes(s.begin(), s.end()); }

pb::Identify to_proto(const IdentifyInfo& info) {
  pb::Identify msg;
  if (info.protocol_version) msg.set_protocolversion(*info.protocol_version);
  if (info.agent_version) msg.set_agentversion(*info.agent_version);
  if (info.public_key) msg.set_publickey(to_std_string(*info.public_key));
  for (const auto& addr : info.listen_addrs) msg.add_listenaddrs(to_std_string(addr));
  if (info.observed_addr) msg.set_observedaddr(to_std_string(*info.observed_addr));
  for (const auto& protocol : info.protocols) msg.add_protocols(protocol);
  if (info.signed_peer_record) msg.set_signedpeerrecord(to_std_string(*info.signed_peer_record));
  return msg;
}

IdentifyInfo from_proto(const pb::Identify& msg) {
  IdentifyInfo info;
  if (msg.has_protocolversion()) info.protocol_version = msg.protocolversion();
  if (msg.has_agentversion()) info.agent_version = msg.agentversion();
  if (msg.has_publickey()) info.public_key = from_std_string(msg.publickey());
  for (const auto& addr : msg.listenaddrs()) info.listen_addrs.push_back(from_std_string(addr));
  if (msg.has_observedaddr()) info.observed_addr = from_std_string(msg.observedaddr());
  info.protocols.assign(msg.protocols().begin(), msg.protocols().end());
  if (msg.has_signedpeerrecord()) info.signed_peer_record = from_std_string(msg.signedpeerrecord());
  return info;
}

util::Result<pb::Identify> parse(util::ByteView protobuf) {
  if (protobuf.size() > kMaxMessageSize) {
    return util::make_error(util::Errc::kTooLarge, "identify message over 8 KiB");
  }
  pb::Identify msg;
  if (!msg.ParseFromArray(protobuf.data(), static_cast<int>(protobuf.size()))) {
    return util::make_error(util::Errc::kMalformed, "identify protobuf does not parse");
  }
  return msg;
}

}  // namespace

util::Bytes encode(const IdentifyInfo& info) {
  const std::string wire = to_proto(info).SerializeAsString();
  return from_std_string(wire);
}

util::Bytes encode_framed(const IdentifyInfo& info) {
  const std::string wire = to_proto(info).SerializeAsString();
  util::Bytes out;
  out.reserve(wire.size() + util::uvarint_size(wire.size()));
  util::put_uvarint(out, wire.size());
  out.insert(out.end(), wire.begin(), wire.end());
  return out;
}

util::Result<IdentifyInfo> decode(util::ByteView protobuf) {
  EDGEVPN_TRY_ASSIGN(msg, parse(protobuf));
  return from_proto(msg);
}

util::Result<IdentifyInfo> decode_stream(util::ByteView stream_bytes) {
  if (stream_bytes.empty()) return util::make_error(util::Errc::kTruncated, "empty identify stream");
  pb::Identify merged;
  size_t count = 0;
  while (!stream_bytes.empty()) {
    if (++count > kMaxMessages) {
      return util::make_error(util::Errc::kTooLarge, "too many identify messages");
    }
    EDGEVPN_TRY_ASSIGN(length, util::read_uvarint(stream_bytes));
    if (length.value > kMaxMessageSize) {
      return util::make_error(util::Errc::kTooLarge, "identify message over 8 KiB");
    }
    stream_bytes = stream_bytes.subspan(length.length);
    if (stream_bytes.size() < length.value) {
      return util::make_error(util::Errc::kTruncated, "identify message cut short");
    }
    EDGEVPN_TRY_ASSIGN(msg, parse(stream_bytes.first(length.value)));
    merged.MergeFrom(msg);
    stream_bytes = stream_bytes.subspan(length.value);
  }
  return from_proto(merged);
}

}  // namespace edgevpn::p2p::identify
