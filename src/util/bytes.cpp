// Byte helpers that need libsodium.
#include "util/bytes.hpp"

#include <sodium.h>

namespace edgevpn::util {

bool equal_constant_time(ByteView a, ByteView b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace edgevpn::util
