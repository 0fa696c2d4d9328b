// Unsigned varint codec.
#include "util/varint.hpp"

namespace edgevpn::util {

void put_uvarint(Bytes& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

size_t uvarint_size(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

Result<Varint> read_uvarint(ByteView in) {
  constexpr size_t kMaxBytes = 9;  // multiformats caps varints at 63 bits
  uint64_t value = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i >= kMaxBytes) return make_error(Errc::kMalformed, "varint longer than 9 bytes");
    const uint8_t b = in[i];
    value |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) return make_error(Errc::kMalformed, "varint not minimally encoded");
      return Varint{value, i + 1};
    }
  }
  if (in.size() >= kMaxBytes) return make_error(Errc::kMalformed, "varint longer than 9 bytes");
  return make_error(Errc::kTruncated, "varint needs more bytes");
}

}  // namespace edgevpn::util
