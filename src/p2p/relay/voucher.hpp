// Reservation vouchers (circuit-v2.md "Reservation Vouchers"): a signed envelope (RFC 0002) in
// which a relay states until when it serves a peer. Advisory in libp2p today; we check them on
// the client side as go-libp2p does. No I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::relay {

inline constexpr std::string_view kVoucherDomain = "libp2p-relay-rsvp";
// The payload type is the two bytes 0x03 0x02 as they are (go-libp2p's RecordCodec), not the
// varint of 0x0302 that a registered multicodec would use.
inline constexpr uint8_t kVoucherPayloadType[] = {0x03, 0x02};

struct ReservationVoucher {
  crypto::PeerId relay;  // the peer that serves
  crypto::PeerId peer;   // the peer that reserved
  uint64_t expiration_unix = 0;

  bool operator==(const ReservationVoucher&) const = default;
};

// The envelope bytes of `voucher`, signed with `relay_key`. The payload is the canonical
// protobuf (fields in number order), so Ed25519 vouchers are byte-identical to go-libp2p's.
util::Bytes seal_voucher(const crypto::PrivateKey& relay_key, const ReservationVoucher& voucher);

// Decodes an envelope, checks its domain-separated signature and payload type and that the
// signing key is the voucher's relay. Errors: kMalformed (not an envelope, or a payload that is
// not a voucher with two valid peer IDs), kUnsupported (another payload type), kCrypto (the
// signature does not verify, or the signer is not the relay the voucher names).
util::Result<ReservationVoucher> open_voucher(util::ByteView envelope);

}  // namespace edgevpn::p2p::relay
