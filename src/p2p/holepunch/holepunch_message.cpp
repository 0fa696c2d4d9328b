// HolePunch message encoding and decoding on top of the generated protobuf.
#include "p2p/holepunch/holepunch_message.hpp"

#include <string>

#include "holepunch.pb.h"  // protobuf_generate writes generated headers flat
#include "p2p/relay/relay_message.hpp"

namespace edgevpn::p2p::holepunch {

util::Bytes encode(const HolePunchMessage& message) {
  pb::HolePunch out;
  out.set_type(static_cast<pb::HolePunch::Type>(message.type));
  for (const auto& addr : message.observed_addrs) out.add_obsaddrs(util::to_string(addr.bytes()));
  const std::string wire = out.SerializeAsString();
  return util::Bytes(wire.begin(), wire.end());
}

util::Bytes encode_framed(const HolePunchMessage& message) {
  return relay::frame(encode(message));
}

util::Result<HolePunchMessage> decode(util::ByteView protobuf) {
  if (protobuf.size() > kMaxMessageSize) {
    return util::make_error(util::Errc::kTooLarge, "hole punch message over 4 KiB");
  }
  pb::HolePunch in;
  if (!in.ParseFromArray(protobuf.data(), static_cast<int>(protobuf.size()))) {
    return util::make_error(util::Errc::kMalformed, "hole punch message does not parse");
  }
  // proto2 keeps an enum value it does not know out of the field, so has_type() covers both.
  if (!in.has_type()) {
    return util::make_error(util::Errc::kMalformed, "hole punch message without a known type");
  }
  HolePunchMessage out;
  out.type = static_cast<MessageType>(in.type());
  for (const auto& bytes : in.obsaddrs()) {
    if (auto addr = Multiaddr::from_bytes(util::as_bytes(bytes))) {
      out.observed_addrs.push_back(std::move(*addr));
    }
  }
  return out;
}

util::Result<Frame> read_frame(util::ByteView buffer) {
  EDGEVPN_TRY_ASSIGN(raw, relay::read_raw_frame(buffer, kMaxMessageSize));
  EDGEVPN_TRY_ASSIGN(message, decode(raw.body));
  return Frame{std::move(message), raw.consumed};
}

}  // namespace edgevpn::p2p::holepunch
