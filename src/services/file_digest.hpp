// Incremental SHA-256 for files: the integrity check of file-send / file-receive.
#pragma once

#include <memory>
#include <string>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::services {

class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(util::ByteView data);
  std::string hex_digest();  // lowercase hex; once

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

struct FileDigest {
  uint64_t size = 0;
  std::string sha256;
};

// Reads the whole file (kIo / kNotFound with the path in the message).
util::Result<FileDigest> digest_file(const std::string& path);

}  // namespace edgevpn::services
