// Block codec, Go fmt.Sprint hash input, Go time formatting and gzip framing.
#include "ledger/block.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <utility>

#include "crypto/hash.hpp"
#include "ledger/go_json.hpp"
#include "util/encoding.hpp"

namespace edgevpn::ledger {
namespace {

using util::Errc;
using util::make_error;


// fmt's %v of a []byte: "[1 2 3]", nil or empty "[]".
void append_go_byte_slice(std::string& out, const std::optional<util::Bytes>& bytes) {
  out += '[';
  if (bytes) {
    for (size_t i = 0; i < bytes->size(); ++i) {
      if (i) out += ' ';
      out += std::to_string((*bytes)[i]);
    }
  }
  out += ']';
}

void append_printed_entry(std::string& out, const Entry& entry, HashForm form) {
  if (form == HashForm::kLegacy) {
    out += entry.value;
    return;
  }
  out += '{';
  out += entry.value;
  out += ' ';
  out += entry.owner;
  out += ' ';
  out += std::to_string(entry.version);
  out += ' ';
  out += std::to_string(entry.updated_at);
  out += entry.deleted ? " true " : " false ";
  append_go_byte_slice(out, entry.sig);
  out += '}';
}

util::Result<std::string> string_field(const nlohmann::json& value, const char* name) {
  if (value.is_null()) return std::string();
  if (!value.is_string()) {
    return make_error(Errc::kMalformed, std::string("block field ") + name + " is not a string");
  }
  return value.get<std::string>();
}

util::Result<Storage> decode_storage(const nlohmann::json& json) {
  Storage storage;
  if (json.is_null()) return storage;
  if (!json.is_object()) return make_error(Errc::kMalformed, "block Storage is not an object");
  for (const auto& [bucket_name, bucket_json] : json.items()) {
    if (bucket_json.is_null()) {
      storage[bucket_name];
      continue;
    }
    if (!bucket_json.is_object()) {
      return make_error(Errc::kMalformed, "bucket " + bucket_name + " is not an object");
    }
    Bucket& bucket = storage[bucket_name];
    for (const auto& [key, entry_json] : bucket_json.items()) {
      auto entry = decode_entry(entry_json);
      if (!entry) {
        return make_error(Errc::kMalformed, bucket_name + "/" + key + ": " + entry.error().message);
      }
      bucket[key] = std::move(entry).value();
    }
  }
  return storage;
}

}  // namespace

std::string hash_input(const Block& block, HashForm form) {
  std::string out = std::to_string(block.index);
  out += block.timestamp;
  out += "map[";
  bool first_bucket = true;
  for (const auto& [bucket_name, bucket] : block.storage) {
    if (!first_bucket) out += ' ';
    first_bucket = false;
    out += bucket_name;
    out += ":map[";
    bool first_key = true;
    for (const auto& [key, entry] : bucket) {
      if (!first_key) out += ' ';
      first_key = false;
      out += key;
      out += ':';
      append_printed_entry(out, entry, form);
    }
    out += ']';
  }
  out += ']';
  out += block.prev_hash;
  return out;
}

std::string block_checksum(const Block& block, HashForm form) {
  std::string input = hash_input(block, form);
  auto digest = crypto::sha256(util::as_bytes(input));
  return util::hex_encode(digest);
}

std::string go_time_string_utc(util::WallTime time) {
  using namespace std::chrono;
  auto since_epoch = duration_cast<nanoseconds>(time.time_since_epoch());
  auto days = floor<std::chrono::days>(sys_time<nanoseconds>(since_epoch));
  year_month_day date{days};
  auto nanos_of_day = since_epoch - days.time_since_epoch();
  hh_mm_ss<nanoseconds> clock_time{nanos_of_day};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u %02lld:%02lld:%02lld",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()),
                static_cast<long long>(clock_time.hours().count()),
                static_cast<long long>(clock_time.minutes().count()),
                static_cast<long long>(clock_time.seconds().count()));
  std::string out = buffer;
  long long fraction = clock_time.subseconds().count();
  if (fraction != 0) {
    std::snprintf(buffer, sizeof buffer, ".%09lld", fraction);
    std::string digits = buffer;
    while (digits.back() == '0') digits.pop_back();
    out += digits;
  }
  out += " +0000 UTC";
  return out;
}

Block genesis_block(util::WallTime now) {
  Block block;
  block.timestamp = go_time_string_utc(now);
  block.hash = block_checksum(Block{});
  return block;
}

Block next_block(const Block& last, Storage storage, util::WallTime now) {
  Block block;
  // Wraps like Go's int on a (hostile) maximal index instead of overflowing.
  block.index = static_cast<int64_t>(static_cast<uint64_t>(last.index) + 1);
  block.timestamp = go_time_string_utc(now);
  block.storage = std::move(storage);
  block.prev_hash = last.hash;
  block.hash = block_checksum(block);
  return block;
}

std::string encode_block(const Block& block) {
  std::string out = "{\"Index\":" + std::to_string(block.index) + ",\"Timestamp\":";
  append_go_quoted(out, block.timestamp);
  out += ",\"Storage\":{";
  bool first_bucket = true;
  for (const auto& [bucket_name, bucket] : block.storage) {
    if (!first_bucket) out += ',';
    first_bucket = false;
    append_go_quoted(out, bucket_name);
    out += ":{";
    bool first_key = true;
    for (const auto& [key, entry] : bucket) {
      if (!first_key) out += ',';
      first_key = false;
      append_go_quoted(out, key);
      out += ':';
      append_entry(out, entry);
    }
    out += '}';
  }
  out += "},\"Hash\":";
  append_go_quoted(out, block.hash);
  out += ",\"PrevHash\":";
  append_go_quoted(out, block.prev_hash);
  out += '}';
  return out;
}

util::Result<Block> decode_block(std::string_view json_text) {
  auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return make_error(Errc::kMalformed, "block is not valid JSON");
  Block block;
  if (json.is_null()) return block;
  if (!json.is_object()) return make_error(Errc::kMalformed, "block is not a JSON object");
  for (const auto& [name, value] : json.items()) {
    if (equal_fold(name, "Index")) {
      if (value.is_null()) continue;
      if (value.is_number_unsigned() && value.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
        block.index = static_cast<int64_t>(value.get<uint64_t>());
      } else if (value.is_number_integer() && !value.is_number_unsigned()) {
        block.index = value.get<int64_t>();
      } else {
        return make_error(Errc::kMalformed, "block Index is not an integer");
      }
    } else if (equal_fold(name, "Timestamp")) {
      EDGEVPN_TRY_ASSIGN(timestamp, string_field(value, "Timestamp"));
      block.timestamp = std::move(timestamp);
    } else if (equal_fold(name, "Storage")) {
      EDGEVPN_TRY_ASSIGN(storage, decode_storage(value));
      block.storage = std::move(storage);
    } else if (equal_fold(name, "Hash")) {
      EDGEVPN_TRY_ASSIGN(hash, string_field(value, "Hash"));
      block.hash = std::move(hash);
    } else if (equal_fold(name, "PrevHash")) {
      EDGEVPN_TRY_ASSIGN(prev_hash, string_field(value, "PrevHash"));
      block.prev_hash = std::move(prev_hash);
    }
  }
  return block;
}

util::Bytes gzip_compress(std::string_view data) {
  // Header as Go's gzip.Writer writes it: magic, CM=8, no flags, mtime 0, XFL 0, OS 255.
  util::Bytes out = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff};
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  size_t header_size = out.size();
  out.resize(header_size + deflateBound(&stream, data.size()));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data() + header_size;
  stream.avail_out = static_cast<uInt>(out.size() - header_size);
  deflate(&stream, Z_FINISH);
  out.resize(header_size + stream.total_out);
  deflateEnd(&stream);
  uLong crc =
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<uint8_t>(crc >> shift));
  auto size = static_cast<uint32_t>(data.size());
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<uint8_t>(size >> shift));
  return out;
}

util::Result<std::string> gzip_decompress(util::ByteView data, size_t max_size) {
  if (data.empty()) return make_error(Errc::kTruncated, "empty gzip stream");
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return make_error(Errc::kIo, "inflateInit2 failed");
  }
  std::string out;
  unsigned char chunk[16384];
  stream.next_in = const_cast<Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  util::Status status;
  while (true) {
    stream.next_out = chunk;
    stream.avail_out = sizeof chunk;
    int rc = inflate(&stream, Z_NO_FLUSH);
    size_t produced = sizeof chunk - stream.avail_out;
    if (out.size() + produced > max_size) {
      status = make_error(Errc::kTooLarge,
                          "gzip payload inflates beyond " + std::to_string(max_size) + " bytes");
      break;
    }
    out.append(reinterpret_cast<const char*>(chunk), produced);
    if (rc == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      inflateReset(&stream);  // another gzip member follows, as Go's reader allows
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) {
      status = make_error(Errc::kTruncated, "gzip stream ends early");
    } else {
      status = make_error(Errc::kMalformed,
                          std::string("gzip: ") + (stream.msg ? stream.msg : "invalid data"));
    }
    break;
  }
  inflateEnd(&stream);
  if (!status) return status.error();
  return out;
}

util::Bytes encode_block_payload(const Block& block) {
  return gzip_compress(encode_block(block));
}

util::Result<Block> decode_block_payload(util::ByteView payload, size_t max_size) {
  EDGEVPN_TRY_ASSIGN(json, gzip_decompress(payload, max_size));
  return decode_block(json);
}

}  // namespace edgevpn::ledger
