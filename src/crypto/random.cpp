// CSPRNG helpers on libsodium; sodium_init() is idempotent and thread-safe.
#include "crypto/random.hpp"

#include <sodium.h>

#include <stdexcept>

namespace edgevpn::crypto {
namespace {
void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}
}  // namespace

util::Bytes random_bytes(size_t count) {
  util::Bytes out(count);
  fill_random(out);
  return out;
}

void fill_random(util::Bytes& out) {
  ensure_sodium();
  randombytes_buf(out.data(), out.size());
}

std::string random_alphanumeric(size_t length) {
  ensure_sodium();
  std::string out(length, '\0');
  for (auto& c : out) {
    c = kAlphanumeric[randombytes_uniform(static_cast<uint32_t>(kAlphanumeric.size()))];
  }
  return out;
}

}  // namespace edgevpn::crypto
