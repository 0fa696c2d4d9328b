// The JSON bodies of the API (spec 11), built from snapshots of the node's state: Go's field
// names and order (encoding/json of EdgeVPN's types), Go's string escaping, and echo's trailing
// newline. Pure functions, so each shape is tested without HTTP.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_backend.hpp"
#include "ledger/ledger_state.hpp"
#include "util/bytes.hpp"

namespace edgevpn::api {

// Buckets the API reads (spec 6.2).
inline constexpr std::string_view kMachinesBucket = "machines";
inline constexpr std::string_view kUsersBucket = "users";
inline constexpr std::string_view kServicesBucket = "services";
inline constexpr std::string_view kFilesBucket = "files";
inline constexpr std::string_view kDnsBucket = "dns";

// Windows of the heartbeat used by the views (EdgeVPN's api.go).
inline constexpr std::chrono::minutes kMachineOnlineWindow{20};
inline constexpr std::chrono::minutes kNodeOnlineWindow{10};

// A set of peer IDs compared by their decoded multihash, so base58 and CID spellings of one peer
// match and text that is no peer ID matches nothing (EdgeVPN compared undecoded text: spec 15).
class PeerSet {
 public:
  PeerSet() = default;
  explicit PeerSet(const std::vector<std::string>& ids);
  bool contains(std::string_view id) const;
  size_t size() const { return ids_.size(); }

 private:
  std::set<util::Bytes> ids_;
};

struct SummaryCounts {
  size_t files = 0, machines = 0, users = 0, services = 0;
  int64_t blockchain = 0;  // ledger index
  size_t on_chain_nodes = 0, peers = 0;
  std::string node_id;
};
SummaryCounts count_summary(const ledger::LedgerData& data);  // only the bucket counts

std::string summary_json(const SummaryCounts& summary);
// [{PeerID,Hostname,OS,Arch,Address,Version,Connected,OnChain,Online}]
std::string machines_json(const ledger::BucketValues& machines, const PeerSet& connected,
                          const PeerSet& on_topic, const PeerSet& online);
// [{"ID","Online"}]: `online` first, then the topic peers not among them.
std::string nodes_json(const std::vector<std::string>& online,
                       const std::vector<std::string>& topic_peers);
std::string peerstore_json(const std::vector<std::string>& peers);
std::string users_json(const ledger::BucketValues& users);
std::string named_json(const ledger::BucketValues& services_or_files);
std::string dns_json(const ledger::BucketValues& dns);

std::string ledger_json(const ledger::LedgerData& data);
std::string bucket_json(const ledger::BucketValues* bucket);  // null -> null
std::string value_json(const std::string* value);             // null -> ""

std::string stats_json(const BandwidthStats& stats);
std::string stats_map_json(const std::map<std::string, BandwidthStats>& stats);

std::string message_json(std::string_view message);  // {"message":"..."}
std::string announcing_json();                       // {"State":"Announcing"}
std::string bool_json(bool value);

// Go's strconv.FormatFloat(f, 'f' or 'e', -1, 64) as encoding/json picks it.
std::string go_format_float(double value);

}  // namespace edgevpn::api
