// Reservation vouchers: RFC 0002 envelopes with domain "libp2p-relay-rsvp".
#include "p2p/relay/voucher.hpp"

#include <algorithm>
#include <string>

#include "circuit.pb.h"      // protobuf_generate writes generated headers flat
#include "peer_record.pb.h"  // the envelope message, from p2p/record
#include "util/varint.hpp"

namespace edgevpn::p2p::relay {
namespace {

// An envelope is larger than the voucher by a key and a signature only.
constexpr size_t kMaxEnvelopeSize = 4096;

util::ByteView view(const std::string& bytes) {
  return util::as_bytes(bytes);
}

void put_field(util::Bytes& out, util::ByteView field) {
  util::put_uvarint(out, field.size());
  util::append(out, field);
}

// What the signature covers: domain, payload type and payload, each length-prefixed.
util::Bytes signed_bytes(util::ByteView payload_type, util::ByteView payload) {
  util::Bytes out;
  put_field(out, util::as_bytes(kVoucherDomain));
  put_field(out, payload_type);
  put_field(out, payload);
  return out;
}

}  // namespace

util::Bytes seal_voucher(const crypto::PrivateKey& relay_key, const ReservationVoucher& voucher) {
  pb::ReservationVoucher payload;
  payload.set_relay(util::to_string(voucher.relay.bytes()));
  payload.set_peer(util::to_string(voucher.peer.bytes()));
  payload.set_expiration(voucher.expiration_unix);
  const std::string payload_bytes = payload.SerializeAsString();
  const auto signature = relay_key.sign(signed_bytes(kVoucherPayloadType, view(payload_bytes)));

  record::pb::Envelope envelope;
  envelope.set_public_key(util::to_string(relay_key.public_key().to_protobuf()));
  envelope.set_payload_type(util::to_string(kVoucherPayloadType));
  envelope.set_payload(payload_bytes);
  envelope.set_signature(std::string(signature.begin(), signature.end()));
  const std::string encoded = envelope.SerializeAsString();
  return util::Bytes(encoded.begin(), encoded.end());
}

util::Result<ReservationVoucher> open_voucher(util::ByteView envelope_bytes) {
  using util::Errc;
  if (envelope_bytes.size() > kMaxEnvelopeSize) {
    return util::make_error(Errc::kMalformed, "voucher envelope over 4 KiB");
  }
  record::pb::Envelope envelope;
  if (!envelope.ParseFromArray(envelope_bytes.data(), static_cast<int>(envelope_bytes.size()))) {
    return util::make_error(Errc::kMalformed, "voucher is not a signed envelope");
  }
  if (!std::ranges::equal(view(envelope.payload_type()), kVoucherPayloadType)) {
    return util::make_error(Errc::kUnsupported, "envelope does not hold a reservation voucher");
  }
  auto key = crypto::PublicKey::from_protobuf(view(envelope.public_key()));
  if (!key.ok()) return util::make_error(Errc::kMalformed, "voucher envelope has no valid key");
  if (!key->verify(signed_bytes(view(envelope.payload_type()), view(envelope.payload())),
                   view(envelope.signature()))) {
    return util::make_error(Errc::kCrypto, "voucher signature does not verify");
  }
  pb::ReservationVoucher payload;
  if (!payload.ParseFromString(envelope.payload())) {
    return util::make_error(Errc::kMalformed, "envelope payload is not a voucher");
  }
  auto relay = crypto::PeerId::from_bytes(view(payload.relay()));
  auto peer = crypto::PeerId::from_bytes(view(payload.peer()));
  if (!relay.ok() || !peer.ok()) {
    return util::make_error(Errc::kMalformed, "voucher names an invalid peer ID");
  }
  if (!relay->matches(*key)) {
    return util::make_error(Errc::kCrypto, "voucher is not signed by the relay it names");
  }
  return ReservationVoucher{std::move(*relay), std::move(*peer), payload.expiration()};
}

}  // namespace edgevpn::p2p::relay
