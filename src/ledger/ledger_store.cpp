// Ledger persistence on disk: the only file I/O of the ledger layer, kept small on purpose.
#include "ledger/ledger_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

namespace edgevpn::ledger {
namespace {

namespace fs = std::filesystem;
using util::Errc;

constexpr std::string_view kIndexFile = "index";

util::Error io_error(const std::string& what, int err) {
  return util::make_error(Errc::kIo, what + ": " + std::strerror(err));
}

// Writes all of `contents` to `fd`, retrying short writes.
bool write_all(int fd, std::string_view contents) {
  const char* data = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string block_file_name(int64_t index) {
  return std::to_string(index);
}

std::optional<int64_t> parse_block_file_name(std::string_view name) {
  if (name.empty()) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec != std::errc() || end != name.data() + name.size()) return std::nullopt;
  if (block_file_name(value) != name) return std::nullopt;  // "+1", "01", "-0"
  return value;
}

util::Result<LedgerStore> LedgerStore::open(fs::path dir, LedgerStoreOptions options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return util::make_error(Errc::kIo, "ledger-state " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(dir, ec)) {
    return util::make_error(Errc::kIo, "ledger-state " + dir.string() + " is not a folder");
  }
  options.keep_blocks = std::max<size_t>(options.keep_blocks, 1);
  return LedgerStore(std::move(dir), options);
}

util::Status LedgerStore::write_atomic(const std::string& name, std::string_view contents) const {
  const fs::path final_path = dir_ / name;
  const fs::path temp_path = dir_ / ("." + name + ".tmp");
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create " + temp_path.string(), errno);
  bool ok = write_all(fd, contents);
  int err = errno;
  if (ok && options_.fsync && ::fsync(fd) != 0) {
    ok = false;
    err = errno;
  }
  ::close(fd);
  if (!ok) {
    ::unlink(temp_path.c_str());
    return io_error("write " + temp_path.string(), err);
  }
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    err = errno;
    ::unlink(temp_path.c_str());
    return io_error("rename to " + final_path.string(), err);
  }
  if (options_.fsync) fsync_dir(dir_);
  return {};
}

util::Result<std::string> LedgerStore::read_file(const std::string& name) const {
  const fs::path path = dir_ / name;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return util::make_error(Errc::kNotFound, path.string() + ": " + ec.message());
  if (size > options_.max_file_size) {
    return util::make_error(
        Errc::kTooLarge, path.string() + " is " + std::to_string(size) + " bytes, over the limit");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::make_error(Errc::kIo, "cannot read " + path.string());
  std::string contents(static_cast<size_t>(size), '\0');
  in.read(contents.data(), static_cast<std::streamsize>(size));
  contents.resize(static_cast<size_t>(in.gcount()));
  return contents;
}

util::Result<Block> LedgerStore::read_block(int64_t index) const {
  EDGEVPN_TRY_ASSIGN(json, read_file(block_file_name(index)));
  auto block = decode_block(json);
  if (!block.ok()) return block.error();
  if (block->index != index) {
    return util::make_error(Errc::kMalformed, "file " + block_file_name(index) + " holds block " +
                                                  std::to_string(block->index));
  }
  return block;
}

std::vector<int64_t> LedgerStore::stored_indexes() const {
  std::vector<int64_t> indexes;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(dir_, ec)) {
    if (!item.is_regular_file(ec)) continue;
    if (auto index = parse_block_file_name(item.path().filename().string())) {
      indexes.push_back(*index);
    }
  }
  std::sort(indexes.begin(), indexes.end());
  return indexes;
}

LoadedLedger LedgerStore::load_last() const {
  LoadedLedger loaded;
  std::optional<int64_t> named;
  auto index_text = read_file(std::string(kIndexFile));
  if (index_text.ok()) {
    std::string_view text = *index_text;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
      text.remove_suffix(1);  // tolerate a hand-edited file
    }
    named = parse_block_file_name(text);
    if (!named) loaded.problems.emplace_back("ledger-state: \"index\" file is not a block index");
  } else if (index_text.error().code != Errc::kNotFound) {
    loaded.problems.push_back("ledger-state: " + index_text.error().describe());
  }
  if (named) {
    auto block = read_block(*named);
    if (block.ok()) {
      loaded.block = std::move(block).value();
      loaded.file_index = named;
      return loaded;
    }
    loaded.problems.push_back("ledger-state: block " + block_file_name(*named) +
                              " skipped: " + block.error().describe());
  }
  auto indexes = stored_indexes();
  std::reverse(indexes.begin(), indexes.end());  // newest first
  for (int64_t index : indexes) {
    if (named && index == *named) continue;
    auto block = read_block(index);
    if (block.ok()) {
      loaded.block = std::move(block).value();
      loaded.file_index = index;
      return loaded;
    }
    loaded.problems.push_back("ledger-state: block " + block_file_name(index) +
                              " skipped: " + block.error().describe());
  }
  return loaded;
}

util::Status LedgerStore::save(const Block& block) {
  EDGEVPN_TRY(write_atomic(block_file_name(block.index), encode_block(block)));
  EDGEVPN_TRY(write_atomic(std::string(kIndexFile), block_file_name(block.index)));
  prune(block.index);
  return {};
}

void LedgerStore::prune(int64_t last_index) const {
  for (int64_t index : stored_indexes()) {
    bool stale = index > last_index;
    // Unsigned difference: exact for any two int64 values, no overflow.
    bool old =
        index < last_index &&
        static_cast<uint64_t>(last_index) - static_cast<uint64_t>(index) >= options_.keep_blocks;
    if (!stale && !old) continue;
    std::error_code ec;
    fs::remove(dir_ / block_file_name(index), ec);  // best effort; retried on the next save
  }
}

}  // namespace edgevpn::ledger
