// --ledger-state DIR: EdgeVPN's diskv layout (spec 6.10: file "<index>" = JSON(Block), file
// "index" = last index in decimal) with atomic writes and, unlike EdgeVPN, only the last N blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ledger/block.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

inline constexpr size_t kDefaultKeptBlocks = 16;
inline constexpr size_t kDefaultMaxBlockFileSize = 64u << 20;

struct LedgerStoreOptions {
  size_t keep_blocks = kDefaultKeptBlocks;          // block files kept (at least 1)
  bool fsync = false;                               // fsync files and the folder on every save
  size_t max_file_size = kDefaultMaxBlockFileSize;  // larger block files count as corrupt
};

struct LoadedLedger {
  std::optional<Block> block;         // the newest valid block; nullopt for an empty folder
  std::optional<int64_t> file_index;  // the file it came from
  std::vector<std::string> problems;  // one line per skipped file, for the caller to log
};

class LedgerStore {
 public:
  // Creates the folder if needed. kIo when it cannot be created or is not a folder.
  static util::Result<LedgerStore> open(std::filesystem::path dir, LedgerStoreOptions options = {});

  // The block named by "index"; if that is missing or corrupt, the highest-numbered block file
  // that decodes (each skipped file is reported in `problems`).
  LoadedLedger load_last() const;

  // Writes "<index>" then "index" (each to a temp file renamed into place), then prunes: only the
  // `keep_blocks` files ending at this index stay; files above it are stale and go too.
  util::Status save(const Block& block);

  // Indexes of the block files present, ascending.
  std::vector<int64_t> stored_indexes() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  LedgerStore(std::filesystem::path dir, LedgerStoreOptions options)
      : dir_(std::move(dir)), options_(options) {}
  util::Status write_atomic(const std::string& name, std::string_view contents) const;
  util::Result<std::string> read_file(const std::string& name) const;
  util::Result<Block> read_block(int64_t index) const;
  void prune(int64_t last_index) const;

  std::filesystem::path dir_;
  LedgerStoreOptions options_;
};

// The block-file name for an index (Go's fmt.Sprint), and its inverse; only canonical decimal
// names (no sign other than '-', no leading zeros) are block files.
std::string block_file_name(int64_t index);
std::optional<int64_t> parse_block_file_name(std::string_view name);

}  // namespace edgevpn::ledger
