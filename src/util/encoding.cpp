// Text encodings. Hex and base64 come from libsodium; base58 and base32 have no Debian
// library, so they are written here.
#include "util/encoding.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace edgevpn::util {
namespace {

int sodium_variant(Base64 variant) {
  switch (variant) {
    case Base64::kStandard: return sodium_base64_VARIANT_ORIGINAL;
    case Base64::kStandardNoPadding: return sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    case Base64::kUrl: return sodium_base64_VARIANT_URLSAFE;
    case Base64::kUrlNoPadding: return sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  }
  return sodium_base64_VARIANT_ORIGINAL;
}

constexpr std::string_view kBase58Alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

}  // namespace

std::string hex_encode(ByteView in) {
  std::string out(in.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), in.data(), in.size());
  out.pop_back();
  return out;
}

Result<Bytes> hex_decode(std::string_view in) {
  if (in.size() % 2 != 0) return make_error(Errc::kMalformed, "hex string has odd length");
  if (in.empty()) return Bytes{};
  Bytes out(in.size() / 2);
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), in.data(), in.size(), nullptr, &written, &end) != 0 ||
      end != in.data() + in.size()) {
    return make_error(Errc::kMalformed, "invalid hex character");
  }
  out.resize(written);
  return out;
}

std::string base64_encode(ByteView in, Base64 variant) {
  const int v = sodium_variant(variant);
  std::string out(sodium_base64_encoded_len(in.size(), v), '\0');
  sodium_bin2base64(out.data(), out.size(), in.data(), in.size(), v);
  out.resize(std::char_traits<char>::length(out.data()));
  return out;
}

Result<Bytes> base64_decode(std::string_view in, Base64 variant) {
  Bytes out(in.size() * 3 / 4 + 3);
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), in.data(), in.size(), nullptr, &written, &end,
                        sodium_variant(variant)) != 0 ||
      end != in.data() + in.size()) {
    return make_error(Errc::kMalformed, "invalid base64");
  }
  out.resize(written);
  return out;
}

std::string base58_encode(ByteView in) {
  size_t zeros = 0;
  while (zeros < in.size() && in[zeros] == 0) ++zeros;
  // log(256)/log(58) ~ 1.37
  std::vector<uint8_t> digits((in.size() - zeros) * 138 / 100 + 1, 0);
  size_t used = 0;
  for (size_t i = zeros; i < in.size(); ++i) {
    unsigned carry = in[i];
    size_t j = 0;
    for (auto it = digits.rbegin(); (carry != 0 || j < used) && it != digits.rend(); ++it, ++j) {
      carry += 256u * *it;
      *it = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    used = j;
  }
  auto it = std::find_if(digits.begin(), digits.end(), [](uint8_t d) { return d != 0; });
  std::string out(zeros, '1');
  for (; it != digits.end(); ++it) out.push_back(kBase58Alphabet[*it]);
  return out;
}

Result<Bytes> base58_decode(std::string_view in) {
  std::array<int8_t, 128> map{};
  map.fill(-1);
  for (size_t i = 0; i < kBase58Alphabet.size(); ++i) {
    map[static_cast<uint8_t>(kBase58Alphabet[i])] = static_cast<int8_t>(i);
  }
  size_t zeros = 0;
  while (zeros < in.size() && in[zeros] == '1') ++zeros;
  // log(58)/log(256) ~ 0.733
  std::vector<uint8_t> bytes((in.size() - zeros) * 733 / 1000 + 1, 0);
  size_t used = 0;
  for (size_t i = zeros; i < in.size(); ++i) {
    const auto c = static_cast<uint8_t>(in[i]);
    if (c >= 128 || map[c] < 0) return make_error(Errc::kMalformed, "invalid base58 character");
    unsigned carry = static_cast<unsigned>(map[c]);
    size_t j = 0;
    for (auto it = bytes.rbegin(); (carry != 0 || j < used) && it != bytes.rend(); ++it, ++j) {
      carry += 58u * *it;
      *it = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    used = j;
  }
  auto it = std::find_if(bytes.begin(), bytes.end(), [](uint8_t b) { return b != 0; });
  Bytes out(zeros, 0);
  out.insert(out.end(), it, bytes.end());
  return out;
}

std::string base32_encode(ByteView in) {
  std::string out;
  out.reserve((in.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : in) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

Result<Bytes> base32_decode(std::string_view in) {
  Bytes out;
  out.reserve(in.size() * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (char raw : in) {
    const char c = static_cast<char>(raw >= 'A' && raw <= 'Z' ? raw - 'A' + 'a' : raw);
    const auto pos = kBase32Alphabet.find(c);
    if (pos == std::string_view::npos) return make_error(Errc::kMalformed, "invalid base32");
    buffer = (buffer << 5) | static_cast<uint32_t>(pos);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace edgevpn::util
