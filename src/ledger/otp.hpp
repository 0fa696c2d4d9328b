// EdgeVPN's TOTP variant: HMAC-SHA256 over the time step, keyed by the raw bytes of the secret,
// rendered as standard base64 and cut to `digits` characters (spec section 3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edgevpn::ledger {

inline constexpr int kTotpDefaultDigits = 6;
// base64 of a 32-byte MAC is 44 characters; Go panics beyond that, we clamp.
inline constexpr int kTotpMaxDigits = 44;

// floor(unix_seconds / period). A non-positive period (which makes Go divide by zero) is
// treated as 1 so this never traps; configs with such periods are refused at load time.
uint64_t totp_counter(int64_t unix_seconds, int64_t period_seconds);

// The code for an explicit counter; digits <= 0 means 6, digits > 44 is clamped to 44.
std::string totp_at_counter(std::string_view key, int digits, uint64_t counter);

// The code valid at `unix_seconds`.
std::string totp(std::string_view key, int digits, int64_t period_seconds, int64_t unix_seconds);

}  // namespace edgevpn::ledger
