// EdgeVPN's ledger block (spec 6.1, 6.3, 5.4): a full snapshot of all buckets, its exact Go JSON
// encoding, the informational fmt.Sprint SHA-256 hash, and the gzip wrapping used on the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ledger/entry.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::ledger {

using Bucket = std::map<std::string, Entry>;    // key -> entry, byte order like Go's sort
using Storage = std::map<std::string, Bucket>;  // bucket name -> bucket

struct Block {
  int64_t index = 0;
  std::string timestamp;
  Storage storage;
  std::string hash;
  std::string prev_hash;

  bool operator==(const Block&) const = default;
};

// How fmt.Sprint renders entries in the hash input: v0.35 prints the SignedData struct
// ({Value Owner Version UpdatedAt Deleted Sig}); releases <= v0.34 print the bare value.
enum class HashForm { kSigned, kLegacy };

std::string hash_input(const Block& block, HashForm form = HashForm::kSigned);
// hex(SHA-256(hash_input)). Never verified by receivers; used for the equal-height tie-break.
std::string block_checksum(const Block& block, HashForm form = HashForm::kSigned);

// SHA-256("0map[]"): the genesis Hash on every node.
inline constexpr std::string_view kZeroBlockHash =
    "993c923422cd134b6aad0235ebfd4290a7b27b83d1bcd6b1fb2addc4b45b2fa6";

// Go's time.Time.String() for a UTC time: "2023-11-14 22:13:21.123456789 +0000 UTC"
// (fraction trimmed of trailing zeros, omitted when zero).
std::string go_time_string_utc(util::WallTime time);

Block genesis_block(util::WallTime now);
// Index last+1, PrevHash last.Hash, Timestamp now, Hash recomputed.
Block next_block(const Block& last, Storage storage, util::WallTime now);

// {"Index":..,"Timestamp":..,"Storage":{..},"Hash":..,"PrevHash":..} exactly as Go writes it.
std::string encode_block(const Block& block);
// Fails (kMalformed) where Go's json.Unmarshal into Block would; unknown fields are ignored,
// field names match case-insensitively, null leaves a field at its zero value.
util::Result<Block> decode_block(std::string_view json);

// gzip as Go's writer frames it (no name, mtime 0, OS 255); any valid gzip is accepted back.
util::Bytes gzip_compress(std::string_view data);
// Inflates a (possibly multi-member) gzip stream; kTooLarge beyond `max_size` bytes of output.
util::Result<std::string> gzip_decompress(util::ByteView data, size_t max_size);

// gzip(JSON(block)) and its inverse, as carried in a ledger gossip message (before sealing).
util::Bytes encode_block_payload(const Block& block);
util::Result<Block> decode_block_payload(util::ByteView payload, size_t max_size);

}  // namespace edgevpn::ledger
