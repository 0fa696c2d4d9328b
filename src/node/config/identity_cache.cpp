// Identity key cache on disk.
#include "node/config/identity_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace edgevpn::node {
namespace {

util::Error io_error(const std::string& what, const std::string& path) {
  return util::make_error(util::Errc::kIo,
                          "privkey-cache: " + what + " " + path + ": " + std::strerror(errno));
}

util::Status write_private_file(const std::string& path, const util::Bytes& data) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", temp);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return io_error("cannot write", temp);
    }
    done += static_cast<size_t>(n);
  }
  // The umask may have narrowed 0600 further, never widened it; fchmod makes it exact.
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    ::close(fd);
    return io_error("cannot finish", temp);
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) return io_error("cannot rename to", path);
  return {};
}

}  // namespace

util::Result<LoadedIdentity> load_or_create_identity(const std::string& dir) {
  namespace fs = std::filesystem;
  std::string path = (fs::path(dir) / kPrivkeyFileName).string();
  std::ifstream file(path, std::ios::binary);
  if (file) {
    util::Bytes data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!data.empty()) {
      auto key = crypto::PrivateKey::from_protobuf(data);
      if (!key.ok()) {
        return util::make_error(key.error().code,
                                "privkey-cache: " + path + ": " + key.error().message);
      }
      return LoadedIdentity{std::move(key).value(), path, false};
    }
  }
  std::error_code error;
  bool existed = fs::exists(dir, error);
  fs::create_directories(dir, error);
  if (error) {
    errno = error.value();
    return io_error("cannot create directory", dir);
  }
  if (!existed && ::chmod(dir.c_str(), 0700) != 0) return io_error("cannot chmod", dir);
  auto key = crypto::PrivateKey::generate_ed25519();
  EDGEVPN_TRY(write_private_file(path, key.to_protobuf()));
  return LoadedIdentity{std::move(key), path, true};
}

util::Result<LoadedIdentity> node_identity(bool cache, const std::string& dir) {
  if (cache) return load_or_create_identity(dir);
  return LoadedIdentity{crypto::PrivateKey::generate_ed25519(), "", false};
}

}  // namespace edgevpn::node
