// The values EdgeVPN derives from the network token and the wall clock (spec section 3): seal
// key, ledger and public gossip topics, DHT rendezvous string and its provider-record key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/bytes.hpp"

namespace edgevpn::ledger {

// One `otp.*` block of the token.
struct OtpSecret {
  std::string key;
  int interval = 0;  // seconds
  int length = 0;    // TOTP characters

  bool operator==(const OtpSecret&) const = default;
};

// Go's DHT discovery uses 12 characters when otp.dht.length is 0.
inline constexpr int kDhtDefaultLength = 12;

// MD5hex(TOTP(otp.crypto.key, length, interval)): 32 ASCII hex characters, the AES-256 key.
std::string seal_key(const OtpSecret& crypto, int64_t unix_seconds);
// MD5hex(TOTP(room, otp.crypto.length, otp.crypto.interval)).
std::string ledger_topic(std::string_view room, const OtpSecret& crypto, int64_t unix_seconds);
// MD5hex(TOTP(room, ...) + "public"): PeerGuardian's generic topic.
std::string public_topic(std::string_view room, const OtpSecret& crypto, int64_t unix_seconds);
// MD5hex(TOTP(otp.dht.key, length or 12, interval)) or, with no otp.dht.key, the static
// rendezvous string itself.
std::string dht_rendezvous(const OtpSecret& dht, std::string_view static_rendezvous,
                           int64_t unix_seconds);

// go-libp2p's routing discovery advertises a namespace as the provider record of
// CIDv1(raw, sha2-256(namespace)); these are that CID's bytes and its multibase base32 text.
util::Bytes rendezvous_cid(std::string_view rendezvous);
std::string rendezvous_cid_string(std::string_view rendezvous);

}  // namespace edgevpn::ledger
