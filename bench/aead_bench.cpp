// Raw ChaCha20-Poly1305 (IETF) encryption speed of libsodium on this machine: the ceiling for
// any Noise-encrypted stream, and the baseline our transfer figures are compared with.
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

int main() {
  if (sodium_init() < 0) return 1;
  constexpr size_t kChunk = 65519;  // a full Noise frame's plaintext
  std::vector<unsigned char> key(crypto_aead_chacha20poly1305_ietf_KEYBYTES, 7);
  std::vector<unsigned char> nonce(crypto_aead_chacha20poly1305_ietf_NPUBBYTES, 0);
  std::vector<unsigned char> in(kChunk, 0x5a);
  std::vector<unsigned char> out(kChunk + crypto_aead_chacha20poly1305_ietf_ABYTES);
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  size_t bytes = 0;
  double seconds = 0;
  uint64_t counter = 0;
  while (seconds < 2.0) {
    for (int i = 0; i < 256; ++i) {
      nonce[4] = static_cast<unsigned char>(++counter);
      unsigned long long out_len = 0;
      crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &out_len, in.data(), in.size(), nullptr,
                                                0, nullptr, nonce.data(), key.data());
      bytes += kChunk;
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  // CPU time too: on a shared machine the wall clock includes waiting for a core.
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf(
      "{\"name\":\"chacha20poly1305\",\"bytes\":%zu,\"seconds\":%.3f,\"MBps\":%.1f,"
      "\"cpu_seconds\":%.3f,\"cpu_MBps\":%.1f}\n",
      bytes, seconds, bytes / seconds / 1e6, cpu, bytes / cpu / 1e6);
  return 0;
}
