// The serving side of files: access check, then the raw bytes, then close.
#include "services/file_transfer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ledger/live/live_ledger.hpp"
#include "p2p/host/host.hpp"
#include "services/file_digest.hpp"
#include "services/records.hpp"
#include "services/service_protocol.hpp"
#include "util/log/log.hpp"

namespace edgevpn::services {

struct FileSenderCore {
  FileSenderCore(asio::io_context& i, p2p::host::Host& h, ledger::live::LiveLedger& l)
      : io(i), host(h), ledger(l) {}
  asio::io_context& io;
  p2p::host::Host& host;
  ledger::live::LiveLedger& ledger;
  std::string name;
  std::string path;
  bool running = false;  // start() to stop(); serve_file holds the core and checks it
  FileSenderStats stats;
};

namespace {

using p2p::host::Stream;

std::shared_ptr<spdlog::logger> logger() { return log::get("services"); }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

asio::awaitable<void> serve_file(std::shared_ptr<FileSenderCore> core, Stream stream) {
  const std::string remote = stream.remote_peer().to_base58();
  if (!core->running || !is_user(core->ledger, remote)) {
    if (core->running) {
      ++core->stats.refused_not_user;
      logger()->warn("file stream from {} refused: not in the users bucket", remote);
    }
    stream.reset();
    co_return;
  }
  Fd file{::open(core->path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    ++core->stats.failed;
    logger()->error("file '{}': {}: {}", core->name, core->path, std::strerror(errno));
    stream.reset();
    co_return;
  }
  logger()->info("sending file '{}' to {}", core->name, remote);
  std::vector<uint8_t> buffer(256 * 1024);
  uint64_t sent = 0;
  for (;;) {
    const ssize_t n = ::pread(file.fd, buffer.data(), buffer.size(), static_cast<off_t>(sent));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ++core->stats.failed;
      logger()->error("file '{}': reading {}: {}", core->name, core->path, std::strerror(errno));
      stream.reset();
      co_return;
    }
    if (n == 0) break;
    auto status = co_await stream.write_all(util::ByteView(buffer.data(), static_cast<size_t>(n)));
    if (!status) {
      ++core->stats.failed;
      logger()->warn("file '{}' to {} cut after {} bytes: {}", core->name, remote, sent,
                     status.error().describe());
      co_return;
    }
    sent += static_cast<uint64_t>(n);
  }
  (void)stream.close();
  ++core->stats.served;
  logger()->info("sent file '{}' to {} ({} bytes)", core->name, remote, sent);
}

}  // namespace

FileSender::FileSender(asio::io_context& io, p2p::host::Host& host,
                       ledger::live::LiveLedger& ledger)
    : core_(std::make_shared<FileSenderCore>(io, host, ledger)) {}

FileSender::~FileSender() { stop(); }

util::Status FileSender::start(const std::string& name, const std::string& path) {
  if (core_->running) return util::make_error(util::Errc::kInvalidArgument, "already serving");
  if (name.empty()) return util::make_error(util::Errc::kInvalidArgument, "file name is empty");
  auto digest = digest_file(path);
  if (!digest) return digest.error();
  core_->name = name;
  core_->path = path;
  core_->running = true;
  auto core = core_;
  core_->host.set_stream_handler(std::string(kFileProtocolGo),
                                 [core](Stream stream) { return serve_file(core, std::move(stream)); });
  logger()->info("serving file '{}' from {} ({} bytes, sha256 {})", name, path, digest->size,
                 digest->sha256);
  std::weak_ptr<FileSenderCore> weak = core_;
  FileRecord record{core_->ledger.self_id(), name, digest->size, digest->sha256};
  // Spec 10.3 / Go: re-Add while missing or held by another peer; ours also when the digest
  // differs (a stale entry from an earlier run).
  core_->ledger.announce([weak, record] {
    auto core = weak.lock();
    if (!core || !core->running) return false;
    auto* ledger = &core->ledger;
    auto current = ledger->get(kFilesBucket, record.name);
    auto decoded = current ? decode_file(*current)
                           : util::Result<FileRecord>(util::make_error(util::Errc::kNotFound, ""));
    if (!decoded || decoded->peer_id != record.peer_id || decoded->sha256 != record.sha256 ||
        decoded->size != record.size) {
      ledger->add(kFilesBucket, record.name, encode_file(record));
    }
    return true;
  });
  return {};
}

void FileSender::stop() {
  if (!core_->running) return;
  core_->running = false;
  core_->host.remove_stream_handler(std::string(kFileProtocolGo));
}

FileSenderStats FileSender::stats() const { return core_->stats; }

}  // namespace edgevpn::services
