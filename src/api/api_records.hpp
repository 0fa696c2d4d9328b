// The Go value types the API reads from and writes to the ledger (spec 6.1): Machine, Service,
// File, User and the DNS record map, decoded as leniently as Go's json.Unmarshal (fields that
// decode are kept, the rest stay empty; keys match case-insensitively).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace edgevpn::api {

struct MachineRecord {
  std::string peer_id, hostname, os, arch, address, version;
};
// Service and File share this shape.
struct NamedRecord {
  std::string peer_id, name;
};
struct UserRecord {
  std::string peer_id, timestamp;
};

MachineRecord decode_machine(std::string_view value_json);
NamedRecord decode_named(std::string_view value_json);
UserRecord decode_user(std::string_view value_json);

// A dns bucket value ({"1":"10.1.0.2","28":"fd00::2"}) as type name -> record ({"A": ...,
// "AAAA": ...}); keys that are not 16-bit type codes and non-string values are skipped.
std::map<std::string, std::string> decode_dns_records(std::string_view value_json);
// The inverse for POST /api/dns: names ("A", "aaaa", "TYPE65") to the Go JSON of
// map[dns.Type]string. kInvalidArgument names the first unknown type.
util::Result<std::string> encode_dns_records(const std::map<std::string, std::string>& by_name);

}  // namespace edgevpn::api
