// X25519 through libsodium.
#include "p2p/noise/noise_dh.hpp"

#include <sodium.h>

#include <cstdlib>

namespace edgevpn::p2p::noise {

DhKeyPair DhKeyPair::generate() {
  // Idempotent; needed before randombytes in a bare process. Without a working RNG no key is
  // safe to hand out, so this is the one place we stop the process.
  if (sodium_init() < 0) std::abort();
  DhKey private_key;
  randombytes_buf(private_key.data(), private_key.size());
  return from_private(private_key);
}

DhKeyPair DhKeyPair::from_private(const DhKey& private_key) {
  DhKeyPair pair;
  pair.private_key = private_key;
  crypto_scalarmult_base(pair.public_key.data(), pair.private_key.data());
  return pair;
}

util::Result<DhKey> dh(const DhKeyPair& local, const DhKey& remote_public) {
  DhKey shared;
  if (crypto_scalarmult(shared.data(), local.private_key.data(), remote_public.data()) != 0) {
    return util::make_error(util::Errc::kCrypto, "X25519 with a low-order public key");
  }
  return shared;
}

}  // namespace edgevpn::p2p::noise
