// Circuit relay v2 message encoding and decoding on top of the generated protobuf.
#include "p2p/relay/relay_message.hpp"

#include <string>

#include "circuit.pb.h"  // protobuf_generate writes generated headers flat
#include "util/varint.hpp"

namespace edgevpn::p2p::relay {
namespace {

util::ByteView view(const std::string& bytes) {
  return util::as_bytes(bytes);
}

void to_proto(const PeerInfo& peer, pb::Peer& out) {
  out.set_id(util::to_string(peer.id.bytes()));
  for (const auto& addr : peer.addrs) out.add_addrs(util::to_string(addr.bytes()));
}

void to_proto(const Limit& limit, pb::Limit& out) {
  out.set_duration(limit.duration_seconds);
  out.set_data(limit.data_bytes);
}

std::vector<Multiaddr> addrs_from_proto(const google::protobuf::RepeatedPtrField<std::string>& in) {
  std::vector<Multiaddr> addrs;
  for (const auto& bytes : in) {
    if (auto addr = Multiaddr::from_bytes(view(bytes))) addrs.push_back(std::move(*addr));
  }
  return addrs;
}

util::Result<PeerInfo> from_proto(const pb::Peer& peer) {
  auto id = crypto::PeerId::from_bytes(view(peer.id()));
  if (!id.ok()) {
    return util::make_error(util::Errc::kMalformed, "relay message names an invalid peer ID");
  }
  return PeerInfo{std::move(*id), addrs_from_proto(peer.addrs())};
}

Limit from_proto(const pb::Limit& limit) {
  return Limit{limit.duration(), limit.data()};
}

std::optional<Status> status_from_proto(bool present, pb::Status status) {
  if (!present) return std::nullopt;
  return static_cast<Status>(status);
}

util::Status check_size(util::ByteView protobuf) {
  if (protobuf.size() > kMaxMessageSize) {
    return util::make_error(util::Errc::kTooLarge, "relay message over 4 KiB");
  }
  return {};
}

util::Bytes serialize(const google::protobuf::MessageLite& message) {
  const std::string wire = message.SerializeAsString();
  return util::Bytes(wire.begin(), wire.end());
}

pb::HopMessage to_proto(const HopMessage& message) {
  pb::HopMessage out;
  out.set_type(static_cast<pb::HopMessage::Type>(message.type));
  if (message.peer) to_proto(*message.peer, *out.mutable_peer());
  if (message.reservation) {
    auto& reservation = *out.mutable_reservation();
    reservation.set_expire(message.reservation->expire_unix);
    for (const auto& addr : message.reservation->addrs) {
      reservation.add_addrs(util::to_string(addr.bytes()));
    }
    if (message.reservation->voucher) {
      reservation.set_voucher(util::to_string(*message.reservation->voucher));
    }
  }
  if (message.limit) to_proto(*message.limit, *out.mutable_limit());
  if (message.status) out.set_status(static_cast<pb::Status>(*message.status));
  return out;
}

pb::StopMessage to_proto(const StopMessage& message) {
  pb::StopMessage out;
  out.set_type(static_cast<pb::StopMessage::Type>(message.type));
  if (message.peer) to_proto(*message.peer, *out.mutable_peer());
  if (message.limit) to_proto(*message.limit, *out.mutable_limit());
  if (message.status) out.set_status(static_cast<pb::Status>(*message.status));
  return out;
}

}  // namespace

util::Bytes encode(const HopMessage& message) {
  return serialize(to_proto(message));
}
util::Bytes encode(const StopMessage& message) {
  return serialize(to_proto(message));
}
util::Bytes encode_framed(const HopMessage& message) {
  return frame(encode(message));
}
util::Bytes encode_framed(const StopMessage& message) {
  return frame(encode(message));
}

util::Result<HopMessage> decode_hop(util::ByteView protobuf) {
  EDGEVPN_TRY(check_size(protobuf));
  pb::HopMessage in;
  if (!in.ParseFromArray(protobuf.data(), static_cast<int>(protobuf.size()))) {
    return util::make_error(util::Errc::kMalformed, "hop message does not parse");
  }
  // proto2 keeps an enum value it does not know out of the field, so has_type() covers both.
  if (!in.has_type()) {
    return util::make_error(util::Errc::kMalformed, "hop message without a known type");
  }
  HopMessage out;
  out.type = static_cast<HopType>(in.type());
  if (in.has_peer()) {
    EDGEVPN_TRY_ASSIGN(peer, from_proto(in.peer()));
    out.peer = std::move(peer);
  }
  if (in.has_reservation()) {
    const auto& reservation = in.reservation();
    Reservation decoded{reservation.expire(), addrs_from_proto(reservation.addrs()), std::nullopt};
    if (reservation.has_voucher()) decoded.voucher = util::to_bytes(reservation.voucher());
    out.reservation = std::move(decoded);
  }
  if (in.has_limit()) out.limit = from_proto(in.limit());
  out.status = status_from_proto(in.has_status(), in.status());
  return out;
}

util::Result<StopMessage> decode_stop(util::ByteView protobuf) {
  EDGEVPN_TRY(check_size(protobuf));
  pb::StopMessage in;
  if (!in.ParseFromArray(protobuf.data(), static_cast<int>(protobuf.size()))) {
    return util::make_error(util::Errc::kMalformed, "stop message does not parse");
  }
  if (!in.has_type()) {
    return util::make_error(util::Errc::kMalformed, "stop message without a known type");
  }
  StopMessage out;
  out.type = static_cast<StopType>(in.type());
  if (in.has_peer()) {
    EDGEVPN_TRY_ASSIGN(peer, from_proto(in.peer()));
    out.peer = std::move(peer);
  }
  if (in.has_limit()) out.limit = from_proto(in.limit());
  out.status = status_from_proto(in.has_status(), in.status());
  return out;
}

util::Result<RawFrame> read_raw_frame(util::ByteView buffer, size_t max_size) {
  EDGEVPN_TRY_ASSIGN(length, util::read_uvarint(buffer));
  if (length.value > max_size) {
    return util::make_error(util::Errc::kTooLarge, "message length prefix over the limit");
  }
  const auto body_size = static_cast<size_t>(length.value);
  if (buffer.size() - length.length < body_size) {
    return util::make_error(util::Errc::kTruncated, "message incomplete");
  }
  return RawFrame{buffer.subspan(length.length, body_size), length.length + body_size};
}

util::Bytes frame(util::ByteView body) {
  util::Bytes out;
  out.reserve(body.size() + util::uvarint_size(body.size()));
  util::put_uvarint(out, body.size());
  util::append(out, body);
  return out;
}

util::Result<Frame<HopMessage>> read_hop_frame(util::ByteView buffer) {
  EDGEVPN_TRY_ASSIGN(raw, read_raw_frame(buffer));
  EDGEVPN_TRY_ASSIGN(message, decode_hop(raw.body));
  return Frame<HopMessage>{std::move(message), raw.consumed};
}

util::Result<Frame<StopMessage>> read_stop_frame(util::ByteView buffer) {
  EDGEVPN_TRY_ASSIGN(raw, read_raw_frame(buffer));
  EDGEVPN_TRY_ASSIGN(message, decode_stop(raw.body));
  return Frame<StopMessage>{std::move(message), raw.consumed};
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::kOk: return "OK";
    case Status::kReservationRefused: return "RESERVATION_REFUSED";
    case Status::kResourceLimitExceeded: return "RESOURCE_LIMIT_EXCEEDED";
    case Status::kPermissionDenied: return "PERMISSION_DENIED";
    case Status::kConnectionFailed: return "CONNECTION_FAILED";
    case Status::kNoReservation: return "NO_RESERVATION";
    case Status::kMalformedMessage: return "MALFORMED_MESSAGE";
    case Status::kUnexpectedMessage: return "UNEXPECTED_MESSAGE";
  }
  return "UNKNOWN";
}

HopMessage hop_status(Status status) {
  HopMessage message;
  message.type = HopType::kStatus;
  message.status = status;
  return message;
}

StopMessage stop_status(Status status) {
  StopMessage message;
  message.type = StopType::kStatus;
  message.status = status;
  return message;
}

bool is_relay_address(const Multiaddr& addr) {
  return addr.has_protocol(multiaddr_code::kP2pCircuit);
}

}  // namespace edgevpn::p2p::relay
