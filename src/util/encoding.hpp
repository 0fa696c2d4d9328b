// Text encodings of bytes: hex, base64 (standard and URL-safe), base58btc, base32 (RFC 4648
// lower case, no padding: multibase 'b'). Decoders reject invalid input with an error.
#pragma once

#include <string>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::util {

std::string hex_encode(ByteView in);
Result<Bytes> hex_decode(std::string_view in);

enum class Base64 { kStandard, kStandardNoPadding, kUrl, kUrlNoPadding };
std::string base64_encode(ByteView in, Base64 variant = Base64::kStandard);
Result<Bytes> base64_decode(std::string_view in, Base64 variant = Base64::kStandard);

std::string base58_encode(ByteView in);
Result<Bytes> base58_decode(std::string_view in);

std::string base32_encode(ByteView in);  // lower case, no padding
Result<Bytes> base32_decode(std::string_view in);

}  // namespace edgevpn::util
