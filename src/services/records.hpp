// The ledger values the services and files features read and write (spec 6.2), in Go's JSON
// shape (PascalCase, Go's field order), and the host:port addresses their commands take.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <functional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace edgevpn::ledger::live {
class LiveLedger;
}

namespace edgevpn::services {

inline constexpr std::string_view kServicesBucket = "services";
inline constexpr std::string_view kFilesBucket = "files";
inline constexpr std::string_view kUsersBucket = "users";

// services[NAME] = {"PeerID":..., "Name":...}
struct ServiceRecord {
  std::string peer_id;
  std::string name;
};

// files[NAME] = {"PeerID":..., "Name":...} plus, from our nodes, "Size" and "SHA256" (lowercase
// hex), which Go nodes ignore and our receivers check.
struct FileRecord {
  std::string peer_id;
  std::string name;
  std::optional<uint64_t> size;
  std::string sha256;
};

std::string encode_service(const ServiceRecord& record);
util::Result<ServiceRecord> decode_service(std::string_view json);
std::string encode_file(const FileRecord& record);
util::Result<FileRecord> decode_file(std::string_view json);
// users[PEER] = {"PeerID":..., "Timestamp": Go's time.Now().String()}
std::string encode_user(std::string_view peer_id);

// True when `peer_id` (base58) is a key of the users bucket: the access rule of service and file
// streams (spec 7.4).
bool is_user(const ledger::live::LiveLedger& ledger, std::string_view peer_id);
// EdgeVPN's users announcement: Add users[me] whenever it is missing, until `wanted` returns
// false (it holds its owner weakly).
void announce_user(ledger::live::LiveLedger& ledger, std::function<bool()> wanted);

struct HostPort {
  std::string host;  // without brackets; empty for ":port"
  uint16_t port = 0;
  std::string to_string() const;
};

// "host:port", "[v6]:port", ":port". Errors name the text.
util::Result<HostPort> parse_host_port(std::string_view text);

}  // namespace edgevpn::services
