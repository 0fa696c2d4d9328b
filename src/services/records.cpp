// Ledger values of services and files in Go's JSON shape; host:port parsing.
#include "services/records.hpp"

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "ledger/block.hpp"
#include "ledger/live/live_ledger.hpp"

namespace edgevpn::services {
namespace {

using util::Errc;
using util::make_error;

// A JSON string literal (nlohmann's escaping, which matches Go's for the text we write).
std::string quote(std::string_view text) { return nlohmann::json(std::string(text)).dump(); }

util::Result<nlohmann::json> parse_object(std::string_view json, std::string_view what) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return make_error(Errc::kMalformed, std::string(what) + " entry is not a JSON object");
  }
  return parsed;
}

std::string string_field(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string encode_service(const ServiceRecord& record) {
  return "{\"PeerID\":" + quote(record.peer_id) + ",\"Name\":" + quote(record.name) + "}";
}

util::Result<ServiceRecord> decode_service(std::string_view json) {
  auto object = parse_object(json, "service");
  if (!object) return object.error();
  ServiceRecord record{string_field(*object, "PeerID"), string_field(*object, "Name")};
  if (record.peer_id.empty()) return make_error(Errc::kMalformed, "service entry has no PeerID");
  return record;
}

std::string encode_file(const FileRecord& record) {
  std::string out = "{\"PeerID\":" + quote(record.peer_id) + ",\"Name\":" + quote(record.name);
  if (record.size) out += ",\"Size\":" + std::to_string(*record.size);
  if (!record.sha256.empty()) out += ",\"SHA256\":" + quote(record.sha256);
  return out + "}";
}

util::Result<FileRecord> decode_file(std::string_view json) {
  auto object = parse_object(json, "file");
  if (!object) return object.error();
  FileRecord record{string_field(*object, "PeerID"), string_field(*object, "Name"), std::nullopt,
                    string_field(*object, "SHA256")};
  if (record.peer_id.empty()) return make_error(Errc::kMalformed, "file entry has no PeerID");
  if (auto it = object->find("Size"); it != object->end() && it->is_number_unsigned()) {
    record.size = it->get<uint64_t>();
  }
  return record;
}

std::string encode_user(std::string_view peer_id) {
  return "{\"PeerID\":" + quote(peer_id) + ",\"Timestamp\":" +
         quote(ledger::go_time_string_utc(std::chrono::system_clock::now())) + "}";
}

bool is_user(const ledger::live::LiveLedger& ledger, std::string_view peer_id) {
  return ledger.get(kUsersBucket, peer_id).has_value();
}

void announce_user(ledger::live::LiveLedger& ledger, std::function<bool()> wanted) {
  // The ledger runs the step only while it runs itself: `target` is alive whenever it is used.
  auto* target = &ledger;
  ledger.announce([target, wanted = std::move(wanted)] {
    if (!wanted()) return false;
    const auto& self = target->self_id();
    if (!target->get(kUsersBucket, self)) target->add(kUsersBucket, self, encode_user(self));
    return true;
  });
}

std::string HostPort::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

util::Result<HostPort> parse_host_port(std::string_view text) {
  const auto bad = [&](const char* why) {
    return make_error(Errc::kInvalidArgument,
                      "address '" + std::string(text) + "': " + why + " (want host:port)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("IPv6 addresses need brackets");
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad("bad port");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace edgevpn::services
