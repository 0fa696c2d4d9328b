// The receiving side of files: wait for the entry, fetch into a temporary file, check, rename.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "ledger/live/live_ledger.hpp"
#include "p2p/host/host.hpp"
#include "services/file_digest.hpp"
#include "services/file_transfer.hpp"
#include "services/records.hpp"
#include "services/service_protocol.hpp"
#include "util/log/log.hpp"

namespace edgevpn::services {
namespace {

using Clock = std::chrono::steady_clock;
using util::Errc;
using util::make_error;

std::shared_ptr<spdlog::logger> logger() { return log::get("services"); }

asio::awaitable<void> sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  asio::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

std::string mebibytes(uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

// A temporary file next to the target; removed unless committed.
class PartFile {
 public:
  explicit PartFile(const std::filesystem::path& target) {
    auto pattern = (target.parent_path() / ("." + target.filename().string() + ".part-XXXXXX"))
                       .string();
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ >= 0) {
      path_ = pattern;
      const mode_t mask = ::umask(0);
      ::umask(mask);
      ::fchmod(fd_, 0755 & ~mask);  // EdgeVPN creates the file with mode 0755
    }
  }
  ~PartFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  util::Status write(util::ByteView data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Errc::kIo, path_ + ": " + std::strerror(errno));
      data = data.subspan(static_cast<size_t>(n));
    }
    return {};
  }

  util::Status commit(const std::string& target) {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      return make_error(Errc::kIo, path_ + ": " + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      return make_error(Errc::kIo, "renaming to " + target + ": " + std::strerror(errno));
    }
    path_.clear();
    return {};
  }

 private:
  int fd_ = -1;
  std::string path_;
};

enum class Outcome { kDone, kRetry, kFailed };

struct Transfer {
  Outcome outcome = Outcome::kRetry;
  util::Status status;
};

asio::awaitable<Transfer> fetch_once(p2p::host::Host& host, const FileRecord& record,
                                     const crypto::PeerId& peer, const std::string& target,
                                     const FileReceiveOptions& options,
                                     const std::shared_ptr<const bool>& stop) {
  // (A named vector: GCC 12 rejects an initializer list inside co_await.)
  std::vector<std::string> protocols{std::string(kFileProtocolGo)};
  auto opened = co_await host.new_stream(peer, std::move(protocols));
  if (*stop) co_return Transfer{Outcome::kFailed, make_error(Errc::kClosed, "stopped")};
  if (!opened) {
    logger()->warn("file '{}': cannot open a stream to {}: {}", options.name, record.peer_id,
                   opened.error().describe());
    co_return Transfer{};
  }
  p2p::host::Stream stream = std::move(*opened);
  PartFile part(target);
  if (!part.ok()) {
    stream.reset();
    co_return Transfer{Outcome::kFailed,
                       make_error(Errc::kIo, "cannot create a temporary file next to " + target +
                                                 ": " + std::strerror(errno))};
  }
  logger()->info("receiving file '{}' from {} into {}{}", options.name, record.peer_id, target,
                 record.size ? " (" + mebibytes(*record.size) + ")" : std::string());
  Sha256Stream hash;
  uint64_t received = 0;
  const auto started = Clock::now();
  auto next_report = started + options.progress_interval;
  // A line at each quarter too (for a known size), so a fast transfer still shows progress.
  uint64_t next_quarter = 1;
  std::vector<uint8_t> buffer(256 * 1024);
  for (;;) {
    auto read = co_await stream.read_some(buffer);
    if (*stop) co_return Transfer{Outcome::kFailed, make_error(Errc::kClosed, "stopped")};
    if (!read) {
      logger()->warn("file '{}': transfer cut after {} bytes ({}); retrying", options.name,
                     received, read.error().describe());
      co_return Transfer{};
    }
    if (*read == 0) break;
    const util::ByteView chunk(buffer.data(), *read);
    if (auto status = part.write(chunk); !status) {
      stream.reset();
      co_return Transfer{Outcome::kFailed, status};
    }
    hash.update(chunk);
    received += *read;
    if (record.size && received > *record.size) {
      stream.reset();
      co_return Transfer{Outcome::kFailed,
                         make_error(Errc::kTooLarge, "file '" + options.name + "': more than the " +
                                                         std::to_string(*record.size) +
                                                         " bytes announced")};
    }
    const auto passed_quarter = [&] {
      return record.size && next_quarter < 4 && received * 4 >= next_quarter * *record.size;
    };
    const bool quarter = passed_quarter();
    if (const auto now = Clock::now(); now >= next_report || quarter) {
      next_report = now + options.progress_interval;
      while (passed_quarter()) ++next_quarter;
      const double seconds =
          std::max(1e-3, std::chrono::duration<double>(now - started).count());
      const std::string rate = mebibytes(static_cast<uint64_t>(received / seconds)) + "/s";
      if (record.size && *record.size > 0) {
        logger()->info("file '{}': {} of {} ({:.0f}%), {}", options.name, mebibytes(received),
                       mebibytes(*record.size), 100.0 * received / *record.size, rate);
      } else {
        logger()->info("file '{}': {} received, {}", options.name, mebibytes(received), rate);
      }
    }
  }
  if (record.size && received != *record.size) {
    co_return Transfer{Outcome::kFailed,
                       make_error(Errc::kTruncated, "file '" + options.name + "': got " +
                                                        std::to_string(received) + " of " +
                                                        std::to_string(*record.size) +
                                                        " bytes; not saved")};
  }
  const std::string digest = hash.hex_digest();
  if (!record.sha256.empty() && digest != record.sha256) {
    co_return Transfer{Outcome::kFailed,
                       make_error(Errc::kCrypto, "file '" + options.name +
                                                     "': SHA-256 mismatch (got " + digest +
                                                     ", announced " + record.sha256 +
                                                     "); not saved")};
  }
  if (auto status = part.commit(target); !status) co_return Transfer{Outcome::kFailed, status};
  const double seconds =
      std::max(1e-6, std::chrono::duration<double>(Clock::now() - started).count());
  logger()->info("received file '{}' into {}: {} bytes in {:.2f} s ({}/s), {}", options.name,
                 target, received, seconds, mebibytes(static_cast<uint64_t>(received / seconds)),
                 record.sha256.empty() ? "no digest announced (Go sender): not verified"
                                       : "sha256 verified");
  co_return Transfer{Outcome::kDone, {}};
}

}  // namespace

asio::awaitable<util::Status> receive_file(p2p::host::Host& host,
                                           ledger::live::LiveLedger& ledger,
                                           FileReceiveOptions options,
                                           std::shared_ptr<const bool> stop) {
  std::string target = options.path;
  std::error_code fs_error;
  if (std::filesystem::is_directory(target, fs_error)) {
    target = (std::filesystem::path(target) / options.name).string();
  }
  // Announced while this coroutine runs: the loop holds the token weakly.
  auto announcing = std::make_shared<bool>(true);
  if (options.announce_user) {
    announce_user(ledger, [token = std::weak_ptr<bool>(announcing)] { return !token.expired(); });
  }

  auto next_status = Clock::now();
  while (!*stop) {
    std::string waiting_for;
    std::optional<FileRecord> record;
    if (auto value = ledger.get(kFilesBucket, options.name)) {
      if (auto decoded = decode_file(*value)) record = std::move(*decoded);
    }
    if (!record) {
      waiting_for = "file '" + options.name + "' to appear in the ledger";
    } else if (!is_user(ledger, ledger.self_id())) {
      waiting_for = "our users entry to reach the ledger";
    }
    auto peer = record ? crypto::PeerId::parse(record->peer_id)
                       : util::Result<crypto::PeerId>(make_error(Errc::kNotFound, ""));
    if (waiting_for.empty() && !peer) {
      co_return make_error(Errc::kMalformed, "file '" + options.name + "': bad PeerID " +
                                                 record->peer_id + " in the ledger");
    }
    if (waiting_for.empty()) {
      auto transfer = co_await fetch_once(host, *record, *peer, target, options, stop);
      if (transfer.outcome == Outcome::kDone) co_return util::Status{};
      if (transfer.outcome == Outcome::kFailed) co_return transfer.status;
    } else if (Clock::now() >= next_status) {
      logger()->info("waiting for {}", waiting_for);
      next_status = Clock::now() + std::chrono::seconds(5);
    }
    co_await sleep(options.retry_interval);
  }
  co_return make_error(Errc::kClosed, "stopped");
}

}  // namespace edgevpn::services
