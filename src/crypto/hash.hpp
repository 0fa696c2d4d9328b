// Hash primitives EdgeVPN's derivations and libp2p need: SHA-256, HMAC-SHA256 and MD5 (hex).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "util/bytes.hpp"

namespace edgevpn::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(util::ByteView data);
// HMAC-SHA256 with a key of any length (EdgeVPN uses the raw bytes of its token strings).
Sha256Digest hmac_sha256(util::ByteView key, util::ByteView message);
// Lowercase hex of MD5(data): 32 characters. EdgeVPN turns its TOTP codes into keys and topic
// names this way; MD5 is kept for wire compatibility, not for its strength.
std::string md5_hex(util::ByteView data);

}  // namespace edgevpn::crypto
