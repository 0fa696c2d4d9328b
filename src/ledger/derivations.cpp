// EdgeVPN's OTP derivations; the formulas are wire-relevant (peers must compute the same).
#include "ledger/derivations.hpp"

#include "crypto/hash.hpp"
#include "ledger/otp.hpp"
#include "util/encoding.hpp"

namespace edgevpn::ledger {
namespace {

std::string md5_hex_of(std::string_view text) { return crypto::md5_hex(util::as_bytes(text)); }

constexpr uint8_t kCidV1 = 0x01;
constexpr uint8_t kCodecRaw = 0x55;
constexpr uint8_t kMultihashSha256 = 0x12;
constexpr uint8_t kSha256Length = 0x20;

}  // namespace

std::string seal_key(const OtpSecret& crypto, int64_t unix_seconds) {
  return md5_hex_of(totp(crypto.key, crypto.length, crypto.interval, unix_seconds));
}

std::string ledger_topic(std::string_view room, const OtpSecret& crypto, int64_t unix_seconds) {
  return md5_hex_of(totp(room, crypto.length, crypto.interval, unix_seconds));
}

std::string public_topic(std::string_view room, const OtpSecret& crypto, int64_t unix_seconds) {
  return md5_hex_of(totp(room, crypto.length, crypto.interval, unix_seconds) + "public");
}

std::string dht_rendezvous(const OtpSecret& dht, std::string_view static_rendezvous,
                           int64_t unix_seconds) {
  if (dht.key.empty()) return std::string(static_rendezvous);
  int length = dht.length == 0 ? kDhtDefaultLength : dht.length;
  return md5_hex_of(totp(dht.key, length, dht.interval, unix_seconds));
}

util::Bytes rendezvous_cid(std::string_view rendezvous) {
  util::Bytes cid = {kCidV1, kCodecRaw, kMultihashSha256, kSha256Length};
  util::append(cid, crypto::sha256(util::as_bytes(rendezvous)));
  return cid;
}

std::string rendezvous_cid_string(std::string_view rendezvous) {
  return "b" + util::base32_encode(rendezvous_cid(rendezvous));
}

}  // namespace edgevpn::ledger
