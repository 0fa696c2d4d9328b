// CSPRNG output (libsodium randombytes): raw bytes and random alphanumeric strings for tokens.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/bytes.hpp"

namespace edgevpn::crypto {

// EdgeVPN's token alphabet: a-z, A-Z, then 1-9 and 0.
inline constexpr std::string_view kAlphanumeric =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890";

util::Bytes random_bytes(size_t count);
void fill_random(util::Bytes& out);
// Each character drawn uniformly (no modulo bias) from kAlphanumeric.
std::string random_alphanumeric(size_t length);

}  // namespace edgevpn::crypto
