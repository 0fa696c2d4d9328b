// SHA-256 over OpenSSL's EVP interface.
#include "services/file_digest.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/encoding.hpp"

namespace edgevpn::services {

struct Sha256Stream::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256Stream::Sha256Stream() : context_(std::make_unique<Context>()) {
  EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr);
}
Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(util::ByteView data) {
  EVP_DigestUpdate(context_->ctx, data.data(), data.size());
}

std::string Sha256Stream::hex_digest() {
  util::Bytes digest(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, digest.data(), &length);
  digest.resize(length);
  return util::hex_encode(digest);
}

util::Result<FileDigest> digest_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return util::make_error(errno == ENOENT ? util::Errc::kNotFound : util::Errc::kIo,
                            path + ": " + std::strerror(errno));
  }
  Sha256Stream hash;
  FileDigest out;
  std::vector<uint8_t> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      return util::make_error(util::Errc::kIo, path + ": " + std::strerror(saved));
    }
    if (n == 0) break;
    hash.update(util::ByteView(buffer.data(), static_cast<size_t>(n)));
    out.size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  out.sha256 = hash.hex_digest();
  return out;
}

}  // namespace edgevpn::services
