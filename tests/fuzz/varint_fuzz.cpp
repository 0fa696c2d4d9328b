// Fuzzes the unsigned varint decoder: it must never crash and must round-trip what it accepts.
#include <cstdlib>

#include "util/varint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn::util;
  auto decoded = read_uvarint(ByteView(data, size));
  if (decoded.ok()) {
    Bytes again;
    put_uvarint(again, decoded->value);
    if (again.size() != decoded->length || !std::equal(again.begin(), again.end(), data)) {
      std::abort();
    }
  }
  return 0;
}
