// DNS messages as used by multicast DNS (RFC 1035 wire format, RFC 6762 class bits): header,
// questions and resource records with typed data for A, AAAA, PTR, SRV and TXT. Decoding follows
// compression pointers (only backwards, so it cannot loop) and bounds every name and count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::mdns {

namespace record_type {
inline constexpr uint16_t kA = 1;
inline constexpr uint16_t kPtr = 12;
inline constexpr uint16_t kTxt = 16;
inline constexpr uint16_t kAaaa = 28;
inline constexpr uint16_t kSrv = 33;
inline constexpr uint16_t kAny = 255;
}  // namespace record_type

inline constexpr uint16_t kClassIn = 1;
// Top bit of a question's class: unicast response requested (QU); of a record's: cache flush.
inline constexpr uint16_t kClassTopBit = 0x8000;
inline constexpr uint16_t kFlagResponse = 0x8000;       // QR
inline constexpr uint16_t kFlagAuthoritative = 0x0400;  // AA
inline constexpr size_t kMaxPacketSize = 9000;          // RFC 6762 section 17
inline constexpr size_t kMaxNameLength = 255;           // presentation bytes, RFC 1035

// Names are dotted text without the trailing dot ("abc._p2p._udp.local"); a '.' or '\' inside a
// label is escaped with '\'. Comparisons of names are ASCII case-insensitive (names_equal).
struct Question {
  std::string name;
  uint16_t type = record_type::kPtr;
  uint16_t klass = kClassIn;  // without the top bit
  bool unicast_response = false;

  bool operator==(const Question&) const = default;
};

struct SrvData {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;

  bool operator==(const SrvData&) const = default;
};

struct ResourceRecord {
  std::string name;
  uint16_t type = record_type::kA;
  uint16_t klass = kClassIn;  // without the top bit
  bool cache_flush = false;
  uint32_t ttl = 0;
  // Typed data, by `type`: A/AAAA -> address (4/16 bytes); PTR -> ptr; SRV -> srv; TXT -> txt.
  // Any other type keeps its raw data in `raw`.
  util::Bytes address;
  std::string ptr;
  SrvData srv;
  std::vector<std::string> txt;
  util::Bytes raw;

  bool operator==(const ResourceRecord&) const = default;
};

struct DnsMessage {
  uint16_t id = 0;  // 0 in multicast DNS
  uint16_t flags = 0;
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authorities;
  std::vector<ResourceRecord> additionals;

  bool is_response() const { return (flags & kFlagResponse) != 0; }
  bool operator==(const DnsMessage&) const = default;
};

// Encodes with name compression. kInvalidArgument for a name with an empty or over-63-byte label,
// a name over 255 bytes, a TXT string over 255 bytes, or an A/AAAA address of the wrong size.
util::Result<util::Bytes> encode(const DnsMessage& message);
// kTruncated when the packet ends early, kMalformed for bad names, pointers or record data,
// kTooLarge over 65535 bytes. Trailing bytes after the announced records are ignored.
util::Result<DnsMessage> decode(util::ByteView packet);

bool names_equal(std::string_view a, std::string_view b);
// True when `name` is `suffix` or ends with "." + suffix (case-insensitive).
bool name_has_suffix(std::string_view name, std::string_view suffix);

}  // namespace edgevpn::p2p::mdns
