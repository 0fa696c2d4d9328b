// RFC 0002 envelopes carrying RFC 0003 peer records.
#include "p2p/record/signed_peer_record.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "peer_record.pb.h"  // protobuf_generate writes generated headers flat
#include "util/varint.hpp"

namespace edgevpn::p2p::record {
namespace {

constexpr std::string_view kDomain = "libp2p-peer-record";
// The multicodec "libp2p-peer-record" (0x0301) as an unsigned varint.
const util::Bytes kPayloadType = {0x81, 0x06};
// Peer records are small; anything larger is not one.
constexpr size_t kMaxEnvelopeSize = 64 * 1024;

void put_field(util::Bytes& out, util::ByteView field) {
  util::put_uvarint(out, field.size());
  util::append(out, field);
}

// What the signature covers: domain, payload type and payload, each length-prefixed.
util::Bytes signed_bytes(util::ByteView payload_type, util::ByteView payload) {
  util::Bytes out;
  put_field(out, util::as_bytes(kDomain));
  put_field(out, payload_type);
  put_field(out, payload);
  return out;
}

util::ByteView view(const std::string& bytes) {
  return util::as_bytes(bytes);
}

}  // namespace

util::Result<PeerRecord> open_signed_peer_record(util::ByteView envelope) {
  using util::Errc;
  if (envelope.size() > kMaxEnvelopeSize) {
    return util::make_error(Errc::kMalformed, "signed peer record too large");
  }
  pb::Envelope message;
  if (!message.ParseFromArray(envelope.data(), static_cast<int>(envelope.size()))) {
    return util::make_error(Errc::kMalformed, "not a signed envelope");
  }
  if (!std::ranges::equal(view(message.payload_type()), kPayloadType)) {
    return util::make_error(Errc::kUnsupported, "envelope does not hold a peer record");
  }
  EDGEVPN_TRY_ASSIGN(key, crypto::PublicKey::from_protobuf(view(message.public_key())));
  if (!key.verify(signed_bytes(view(message.payload_type()), view(message.payload())),
                  view(message.signature()))) {
    return util::make_error(Errc::kCrypto, "peer record signature does not verify");
  }
  pb::PeerRecord record;
  if (!record.ParseFromString(message.payload())) {
    return util::make_error(Errc::kMalformed, "envelope payload is not a peer record");
  }
  EDGEVPN_TRY_ASSIGN(peer, crypto::PeerId::from_bytes(view(record.peer_id())));
  if (peer != crypto::PeerId::from_public_key(key)) {
    return util::make_error(Errc::kCrypto, "peer record names another peer than its signer");
  }
  PeerRecord out{std::move(peer), record.seq(), {}};
  for (const auto& info : record.addresses()) {
    if (auto addr = Multiaddr::from_bytes(view(info.multiaddr()))) out.addrs.push_back(*addr);
  }
  return out;
}

util::Bytes seal_peer_record(const crypto::PrivateKey& key, uint64_t seq,
                             const std::vector<Multiaddr>& addrs) {
  pb::PeerRecord record;
  const auto peer = crypto::PeerId::from_public_key(key.public_key());
  record.set_peer_id(util::to_string(peer.bytes()));
  record.set_seq(seq);
  for (const auto& addr : addrs) {
    record.add_addresses()->set_multiaddr(util::to_string(addr.bytes()));
  }
  const std::string payload = record.SerializeAsString();
  const auto signature = key.sign(signed_bytes(kPayloadType, view(payload)));
  pb::Envelope message;
  message.set_public_key(util::to_string(key.public_key().to_protobuf()));
  message.set_payload_type(util::to_string(kPayloadType));
  message.set_payload(payload);
  message.set_signature(std::string(signature.begin(), signature.end()));
  const std::string encoded = message.SerializeAsString();
  return util::Bytes(encoded.begin(), encoded.end());
}

}  // namespace edgevpn::p2p::record
