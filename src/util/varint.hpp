// Unsigned varint (LEB128, multiformats unsigned-varint: at most 9 bytes, minimal encoding).
#pragma once

#include <cstdint>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::util {

struct Varint {
  uint64_t value = 0;
  size_t length = 0;  // bytes consumed
};

void put_uvarint(Bytes& out, uint64_t value);
size_t uvarint_size(uint64_t value);
// kTruncated when more bytes are needed, kMalformed for overlong or non-minimal encodings.
Result<Varint> read_uvarint(ByteView in);

}  // namespace edgevpn::util
