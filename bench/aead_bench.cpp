// Raw ChaCha20-Poly1305 (IETF) encryption speed on this machine, in Noise frames of our size:
// OpenSSL's EVP (what the Noise transport uses, printed first: the baseline of bench/run.sh)
// and libsodium's for comparison. The ceiling for any Noise-encrypted stream.
#include <openssl/evp.h>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

namespace {

constexpr size_t kChunk = 32 * 1024;  // the plaintext of one of our Noise frames

// Runs `encrypt_one` for about two seconds and prints one JSON line.
void measure(const char* name, const std::function<void(uint64_t)>& encrypt_one) {
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  size_t bytes = 0;
  double seconds = 0;
  uint64_t counter = 0;
  while (seconds < 2.0) {
    for (int i = 0; i < 256; ++i) {
      encrypt_one(++counter);
      bytes += kChunk;
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  // CPU time too: on a shared machine the wall clock includes waiting for a core.
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf(
      "{\"name\":\"%s\",\"bytes\":%zu,\"seconds\":%.3f,\"MBps\":%.1f,"
      "\"cpu_seconds\":%.3f,\"cpu_MBps\":%.1f}\n",
      name, bytes, seconds, bytes / seconds / 1e6, cpu, bytes / cpu / 1e6);
}

}  // namespace

int main() {
  if (sodium_init() < 0) return 1;
  std::vector<unsigned char> key(32, 7);
  std::vector<unsigned char> nonce(12, 0);
  std::vector<unsigned char> in(kChunk, 0x5a);
  std::vector<unsigned char> out(kChunk + 16);

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key.data(), nullptr) != 1) {
    return 1;
  }
  measure("chacha20poly1305-openssl", [&](uint64_t counter) {
    nonce[4] = static_cast<unsigned char>(counter);
    int written = 0;
    int final_written = 0;
    EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data());
    EVP_EncryptUpdate(ctx, out.data(), &written, in.data(), static_cast<int>(in.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + written, &final_written);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + kChunk);
  });
  EVP_CIPHER_CTX_free(ctx);

  measure("chacha20poly1305-libsodium", [&](uint64_t counter) {
    nonce[4] = static_cast<unsigned char>(counter);
    unsigned long long out_len = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &out_len, in.data(), in.size(), nullptr,
                                              0, nullptr, nonce.data(), key.data());
  });
  return 0;
}
