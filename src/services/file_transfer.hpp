// file-send / file-receive (spec 10.3) over Go's /edgevpn/file/0.1: the sender writes the raw
// file bytes and closes. The sender announces files[NAME] = {PeerID, Name} plus our "Size" and
// "SHA256" fields (Go ignores them); a receiver that finds them checks the bytes it got, so a
// truncated or corrupted transfer is never renamed into place.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/result.hpp"

namespace asio {
class io_context;
}
namespace edgevpn::p2p::host {
class Host;
}
namespace edgevpn::ledger::live {
class LiveLedger;
}

namespace edgevpn::services {

struct FileSenderStats {
  uint64_t served = 0;            // complete transfers
  uint64_t failed = 0;            // transfers cut by the peer or a read error
  uint64_t refused_not_user = 0;  // streams reset: remote peer not in users
};

struct FileSenderCore;

// Serves one file (Go's protocol carries no name: one file per process). On the io thread;
// `host` and `ledger` outlive the sender.
class FileSender {
 public:
  FileSender(asio::io_context& io, p2p::host::Host& host, ledger::live::LiveLedger& ledger);
  ~FileSender();  // stop()
  FileSender(const FileSender&) = delete;
  FileSender& operator=(const FileSender&) = delete;

  // Hashes the file (blocking), registers the handler, announces files[name].
  util::Status start(const std::string& name, const std::string& path);
  void stop();
  FileSenderStats stats() const;

 private:
  std::shared_ptr<FileSenderCore> core_;
};

struct FileReceiveOptions {
  std::string name;
  std::string path;  // the file to write; an existing directory receives <path>/<name>
  std::chrono::milliseconds retry_interval{1000};
  std::chrono::milliseconds progress_interval{2000};
  bool announce_user = true;
};

// Announces users[me] (until done), waits for files[name], fetches it into a temporary file
// next to the target and renames it when complete. Transfers cut short are retried; a size or
// SHA-256 mismatch with the ledger entry is an error (kCrypto / kTruncated) and leaves nothing
// behind. Ends with kClosed when `*stop` becomes true.
asio::awaitable<util::Status> receive_file(p2p::host::Host& host,
                                           ledger::live::LiveLedger& ledger,
                                           FileReceiveOptions options,
                                           std::shared_ptr<const bool> stop);

}  // namespace edgevpn::services
