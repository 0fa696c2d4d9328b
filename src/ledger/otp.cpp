// EdgeVPN's TOTP (creachadair/otp with a base64 "format" function), bit for bit.
#include "ledger/otp.hpp"

#include "crypto/hash.hpp"
#include "util/bytes.hpp"
#include "util/encoding.hpp"

namespace edgevpn::ledger {

uint64_t totp_counter(int64_t unix_seconds, int64_t period_seconds) {
  if (period_seconds <= 0) period_seconds = 1;
  // Go converts the (non-negative in practice) unix time to uint64 before dividing.
  return static_cast<uint64_t>(unix_seconds) / static_cast<uint64_t>(period_seconds);
}

std::string totp_at_counter(std::string_view key, int digits, uint64_t counter) {
  if (digits <= 0) digits = kTotpDefaultDigits;
  if (digits > kTotpMaxDigits) digits = kTotpMaxDigits;
  util::Bytes message;
  util::put_u64_be(message, counter);
  auto mac = crypto::hmac_sha256(util::as_bytes(key), message);
  std::string code = util::base64_encode(mac, util::Base64::kStandard);
  code.resize(static_cast<size_t>(digits));
  return code;
}

std::string totp(std::string_view key, int digits, int64_t period_seconds, int64_t unix_seconds) {
  return totp_at_counter(key, digits, totp_counter(unix_seconds, period_seconds));
}

}  // namespace edgevpn::ledger
