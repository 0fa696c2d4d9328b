// JSON bodies of the API endpoints, byte-compatible with EdgeVPN's echo handlers.
#include "api/api_views.hpp"

#include <charconv>
#include <cmath>

#include "api/api_records.hpp"
#include "crypto/peer_id.hpp"
#include "ledger/go_json.hpp"

namespace edgevpn::api {
namespace {

using ledger::GoObjectWriter;

// echo's c.JSON encodes with json.Encoder, which ends every document with a newline.
std::string document(std::string json) {
  json += '\n';
  return json;
}

template <class Items, class Render>
std::string array_of(const Items& items, Render render) {
  std::string out = "[";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    out += render(item);
  }
  out += ']';
  return out;
}

std::string peer_json(std::string_view id, bool online) {
  return GoObjectWriter().field_string("ID", id).field_bool("Online", online).finish();
}

size_t bucket_size(const ledger::LedgerData& data, std::string_view bucket) {
  auto it = data.find(std::string(bucket));
  return it == data.end() ? 0 : it->second.size();
}

}  // namespace

PeerSet::PeerSet(const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    auto parsed = crypto::PeerId::parse(id);
    if (parsed.ok()) ids_.insert(parsed->bytes());
  }
}

bool PeerSet::contains(std::string_view id) const {
  auto parsed = crypto::PeerId::parse(id);
  return parsed.ok() && ids_.count(parsed->bytes()) > 0;
}

SummaryCounts count_summary(const ledger::LedgerData& data) {
  SummaryCounts counts;
  counts.files = bucket_size(data, kFilesBucket);
  counts.machines = bucket_size(data, kMachinesBucket);
  counts.users = bucket_size(data, kUsersBucket);
  counts.services = bucket_size(data, kServicesBucket);
  return counts;
}

std::string summary_json(const SummaryCounts& s) {
  return document(GoObjectWriter()
                      .field_uint("Files", s.files)
                      .field_uint("Machines", s.machines)
                      .field_uint("Users", s.users)
                      .field_uint("Services", s.services)
                      .field_int("BlockChain", s.blockchain)
                      .field_uint("OnChainNodes", s.on_chain_nodes)
                      .field_uint("Peers", s.peers)
                      .field_string("NodeID", s.node_id)
                      .finish());
}

std::string machines_json(const ledger::BucketValues& machines, const PeerSet& connected,
                          const PeerSet& on_topic, const PeerSet& online) {
  return document(array_of(machines, [&](const auto& item) {
    MachineRecord m = decode_machine(item.second);
    return GoObjectWriter()
        .field_string("PeerID", m.peer_id)
        .field_string("Hostname", m.hostname)
        .field_string("OS", m.os)
        .field_string("Arch", m.arch)
        .field_string("Address", m.address)
        .field_string("Version", m.version)
        .field_bool("Connected", connected.contains(m.peer_id))
        .field_bool("OnChain", on_topic.contains(m.peer_id))
        .field_bool("Online", online.contains(m.peer_id))
        .finish();
  }));
}

std::string nodes_json(const std::vector<std::string>& online,
                       const std::vector<std::string>& topic_peers) {
  std::vector<std::string> ids = online;
  PeerSet seen(online);
  std::set<std::string> seen_text(online.begin(), online.end());
  for (const auto& id : topic_peers) {
    if (!seen.contains(id) && seen_text.insert(id).second) ids.push_back(id);
  }
  return document(array_of(ids, [](const std::string& id) { return peer_json(id, true); }));
}

std::string peerstore_json(const std::vector<std::string>& peers) {
  return document(array_of(peers, [](const std::string& id) { return peer_json(id, false); }));
}

std::string users_json(const ledger::BucketValues& users) {
  return document(array_of(users, [](const auto& item) {
    UserRecord u = decode_user(item.second);
    return GoObjectWriter()
        .field_string("PeerID", u.peer_id)
        .field_string("Timestamp", u.timestamp)
        .finish();
  }));
}

std::string named_json(const ledger::BucketValues& services_or_files) {
  return document(array_of(services_or_files, [](const auto& item) {
    NamedRecord n = decode_named(item.second);
    return GoObjectWriter().field_string("PeerID", n.peer_id).field_string("Name", n.name).finish();
  }));
}

std::string dns_json(const ledger::BucketValues& dns) {
  return document(array_of(dns, [](const auto& item) {
    return GoObjectWriter()
        .field_string("Regex", item.first)
        .field_raw("Records", ledger::go_encode_string_map(decode_dns_records(item.second)))
        .finish();
  }));
}

std::string ledger_json(const ledger::LedgerData& data) {
  std::string out = "{";
  bool first = true;
  for (const auto& [bucket, values] : data) {
    if (!first) out += ',';
    first = false;
    ledger::append_go_quoted(out, bucket);
    out += ':';
    out += ledger::go_encode_string_map(values);
  }
  out += '}';
  return document(std::move(out));
}

std::string bucket_json(const ledger::BucketValues* bucket) {
  return document(bucket == nullptr ? "null" : ledger::go_encode_string_map(*bucket));
}

std::string value_json(const std::string* value) {
  return document(ledger::go_quote(value == nullptr ? std::string_view() : *value));
}

std::string go_format_float(double value) {
  if (!std::isfinite(value)) return "0";  // Go refuses NaN/Inf; a counter never produces them
  if (value == 0) return "0";
  // The shortest digits that round-trip (what Go's precision -1 means), then Go's layout.
  char buffer[64];
  auto [end, error] =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  if (error != std::errc()) return "0";
  std::string scientific(buffer, end);
  double magnitude = std::fabs(value);
  if (magnitude < 1e-6 || magnitude >= 1e21) {
    // encoding/json cleans "e-07" up to "e-7" (positive exponents keep their "+" and digits).
    size_t n = scientific.size();
    if (n >= 4 && scientific[n - 4] == 'e' && scientific[n - 3] == '-' &&
        scientific[n - 2] == '0') {
      scientific.erase(n - 2, 1);
    }
    return scientific;
  }
  size_t e = scientific.find('e');
  std::string sign = scientific[0] == '-' ? "-" : "";
  std::string digits;
  for (char c : scientific.substr(sign.size(), e - sign.size())) {
    if (c != '.') digits += c;
  }
  int point = 1 + std::stoi(scientific.substr(e + 1));  // digits before the decimal point
  if (point <= 0) return sign + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  auto before = static_cast<size_t>(point);
  if (before >= digits.size()) return sign + digits + std::string(before - digits.size(), '0');
  return sign + digits.substr(0, before) + "." + digits.substr(before);
}

std::string stats_json(const BandwidthStats& stats) {
  return document(GoObjectWriter()
                      .field_int("TotalIn", stats.total_in)
                      .field_int("TotalOut", stats.total_out)
                      .field_raw("RateIn", go_format_float(stats.rate_in))
                      .field_raw("RateOut", go_format_float(stats.rate_out))
                      .finish());
}

std::string stats_map_json(const std::map<std::string, BandwidthStats>& stats) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : stats) {
    if (!first) out += ',';
    first = false;
    ledger::append_go_quoted(out, key);
    out += ':';
    std::string one = stats_json(value);
    one.pop_back();  // the newline of the nested document
    out += one;
  }
  out += '}';
  return document(std::move(out));
}

std::string message_json(std::string_view message) {
  return document(GoObjectWriter().field_string("message", message).finish());
}

std::string announcing_json() {
  return document(GoObjectWriter().field_string("State", "Announcing").finish());
}

std::string bool_json(bool value) {
  return document(value ? "true" : "false");
}

}  // namespace edgevpn::api
