// The endpoints of spec 11: path parsing, method checks, one backend round trip per request on
// the io thread, JSON bodies from api_views, and {"message": ...} errors.
#include "api/api_router.hpp"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

#include "api/api_records.hpp"
#include "api/api_views.hpp"
#include "api/dns_types.hpp"
#include "crypto/peer_id.hpp"
#include "ledger/go_json.hpp"

namespace edgevpn::api {
namespace {

using Segments = std::vector<std::string>;

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = std::string(kJsonContentType);
  response.body = std::move(body);
  return response;
}

HttpResponse error_response(int status, std::string_view message) {
  return json_response(status, message_json(message));
}

HttpResponse not_found() {
  return error_response(404, "Not Found");
}

HttpResponse method_not_allowed(std::string_view allow) {
  HttpResponse response = error_response(405, "Method Not Allowed");
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

// The node did not answer (timeout, stopping) or failed inside.
HttpResponse backend_error(const util::Error& error) {
  bool unavailable = error.code == util::Errc::kTimeout || error.code == util::Errc::kClosed;
  return error_response(unavailable ? 503 : 500, error.message);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high << 4 | low);
    i += 2;
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto lead = static_cast<uint8_t>(s[i]);
    size_t length = lead < 0x80             ? 1
                    : (lead & 0xE0) == 0xC0 ? 2
                    : (lead & 0xF0) == 0xE0 ? 3
                    : (lead & 0xF8) == 0xF0 ? 4
                                            : 0;
    if (length == 0 || i + length > s.size()) return false;
    uint32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<uint8_t>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = code_point << 6 | (next & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

bool is_read(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

// First member of `object` whose name matches `name` exactly, else case-insensitively (Go).
const nlohmann::json* member(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* match = nullptr;
  for (const auto& [key, value] : object.items()) {
    if (key == name) return &value;
    if (match == nullptr && ledger::equal_fold(key, name)) match = &value;
  }
  return match;
}

struct DnsWrite {
  std::string regex;
  std::string value_json;
};

util::Result<DnsWrite> parse_dns_body(std::string_view body) {
  auto bad = [](std::string message) {
    return util::make_error(util::Errc::kInvalidArgument, std::move(message));
  };
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) return bad("request body is not valid JSON");
  if (!json.is_object()) return bad("request body must be a JSON object");
  const nlohmann::json* regex = member(json, "Regex");
  if (regex == nullptr || !regex->is_string() || regex->get<std::string>().empty()) {
    return bad("\"Regex\" must be a non-empty string");
  }
  const nlohmann::json* records = member(json, "Records");
  if (records == nullptr || !records->is_object()) {
    return bad("\"Records\" must be an object of record type to value, e.g. {\"A\": \"10.1.0.2\"}");
  }
  std::map<std::string, std::string> by_name;
  for (const auto& [type, value] : records->items()) {
    if (!value.is_string()) return bad("the value of record " + type + " must be a string");
    std::string text = value.get<std::string>();
    auto code = dns_type_code(type);
    if (!code) return bad("unknown DNS record type: " + type);
    unsigned char address[16];
    if (*code == 1 && inet_pton(AF_INET, text.c_str(), address) != 1) {
      return bad("record A must be an IPv4 address, not \"" + text + "\"");
    }
    if (*code == 28 && inet_pton(AF_INET6, text.c_str(), address) != 1) {
      return bad("record AAAA must be an IPv6 address, not \"" + text + "\"");
    }
    by_name[type] = std::move(text);
  }
  auto value = encode_dns_records(by_name);
  if (!value.ok()) return bad(value.error().message);
  return DnsWrite{regex->get<std::string>(), std::move(*value)};
}

}  // namespace

ApiRouter::ApiRouter(BackendGate& gate, StaticAssetHandler assets, RouterOptions options)
    : gate_(gate), assets_(assets ? std::move(assets) : placeholder_assets()), options_(options) {}

HttpResponse ApiRouter::handle(const HttpRequest& request) const {
  try {
    return route(request);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return error_response(500, "internal error");
  }
}

HttpResponse ApiRouter::route(const HttpRequest& request) const {
  const std::string& method = request.method;
  std::string_view path = request.target;
  path = path.substr(0, path.find_first_of("?#"));
  if (path.empty() || path.front() != '/')
    return error_response(400, "request path must start with /");

  // Segments, percent-decoded one by one (so an encoded "/" stays inside its segment); a
  // trailing slash is ignored.
  Segments segments;
  std::string_view rest = path.substr(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    auto decoded = percent_decode(rest.substr(0, slash));
    if (!decoded) return error_response(400, "malformed percent-encoding in the request path");
    segments.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) segments.emplace_back();  // "a//" keeps its empty last segment
  }

  // --- web UI ---
  if (segments.empty()) {
    if (!is_read(method)) return method_not_allowed("GET, HEAD");
    HttpResponse response;
    response.status = 301;
    response.headers.emplace_back("Location", "/app");
    return response;
  }
  if (segments[0] == "app" || segments[0] == "assets" ||
      (segments.size() == 1 && segments[0] == "favicon.svg")) {
    if (!is_read(method)) return method_not_allowed("GET, HEAD");
    auto asset = assets_(path);
    return asset ? std::move(*asset) : not_found();
  }
  if (segments[0] != "api" || segments.size() < 2) return not_found();

  const std::string& endpoint = segments[1];
  const size_t arguments = segments.size() - 2;

  // Path arguments (bucket, key, value, peer, protocol): non-empty UTF-8 of bounded size.
  for (size_t i = 2; i < segments.size(); ++i) {
    if (segments[i].empty()) return error_response(400, "empty path segment");
    if (segments[i].size() > options_.max_segment_bytes) {
      return error_response(
          400, "path segment longer than " + std::to_string(options_.max_segment_bytes) + " bytes");
    }
    if (!valid_utf8(segments[i])) return error_response(400, "path segment is not valid UTF-8");
  }

  auto read_only = [&]() -> std::optional<HttpResponse> {
    if (!is_read(method)) return method_not_allowed("GET, HEAD");
    return std::nullopt;
  };
  auto reply = [](auto result, auto render) -> HttpResponse {
    if (!result.ok()) return backend_error(result.error());
    return json_response(200, render(*result));
  };
  auto bucket_reader = [](std::string bucket) {
    return [bucket = std::move(bucket)](ApiBackend& backend) {
      auto data = backend.current_data();
      auto it = data.find(bucket);
      return it == data.end() ? ledger::BucketValues{} : std::move(it->second);
    };
  };

  if (endpoint == "summary" && arguments == 0) {
    if (auto refused = read_only()) return *refused;
    auto result = gate_.call([](ApiBackend& backend) -> std::optional<SummaryCounts> {
      if (!backend.topic_joined()) return std::nullopt;
      SummaryCounts counts = count_summary(backend.current_data());
      counts.blockchain = backend.ledger_index();
      counts.on_chain_nodes = backend.topic_peers().size();
      counts.peers = backend.peerstore_peers().size();
      counts.node_id = backend.node_id();
      return counts;
    });
    if (!result.ok()) return backend_error(result.error());
    if (!*result) return error_response(500, "the node has not joined the ledger topic yet");
    return json_response(200, summary_json(**result));
  }

  if (endpoint == "machines" && arguments == 0) {
    if (auto refused = read_only()) return *refused;
    struct Snapshot {
      ledger::BucketValues machines;
      std::vector<std::string> connected, topic, online;
    };
    return reply(gate_.call([](ApiBackend& backend) {
      Snapshot s;
      auto data = backend.current_data();
      if (auto it = data.find(std::string(kMachinesBucket)); it != data.end()) {
        s.machines = std::move(it->second);
      }
      s.connected = backend.connected_peers();
      s.topic = backend.topic_peers();
      s.online = backend.available_nodes(kMachineOnlineWindow);
      return s;
    }),
                 [](const Snapshot& s) {
                   return machines_json(s.machines, PeerSet(s.connected), PeerSet(s.topic),
                                        PeerSet(s.online));
                 });
  }

  if (endpoint == "nodes" && arguments == 0) {
    if (auto refused = read_only()) return *refused;
    using Pair = std::pair<std::vector<std::string>, std::vector<std::string>>;
    return reply(gate_.call([](ApiBackend& backend) {
      return Pair(backend.available_nodes(kNodeOnlineWindow), backend.topic_peers());
    }),
                 [](const Pair& p) { return nodes_json(p.first, p.second); });
  }

  if (endpoint == "peerstore" && arguments == 0) {
    if (auto refused = read_only()) return *refused;
    return reply(gate_.call([](ApiBackend& backend) { return backend.peerstore_peers(); }),
                 [](const std::vector<std::string>& peers) { return peerstore_json(peers); });
  }

  if (endpoint == "users" && arguments == 0) {
    if (auto refused = read_only()) return *refused;
    return reply(gate_.call(bucket_reader(std::string(kUsersBucket))), users_json);
  }
  if ((endpoint == "services" || endpoint == "files") && arguments == 0) {
    if (auto refused = read_only()) return *refused;
    return reply(gate_.call(bucket_reader(endpoint)), named_json);
  }

  if (endpoint == "dns" && arguments == 0) {
    if (is_read(method)) return reply(gate_.call(bucket_reader(std::string(kDnsBucket))), dns_json);
    if (method != "POST") return method_not_allowed("GET, HEAD, POST");
    auto write = parse_dns_body(request.body);
    if (!write.ok()) return error_response(400, write.error().message);
    return reply(gate_.call([write = std::move(*write),
                             timeout = options_.write_timeout](ApiBackend& backend) {
      backend.persist(std::string(kDnsBucket), write.regex, write.value_json, timeout);
      return true;
    }),
                 [](bool) { return announcing_json(); });
  }

  if (endpoint == "blockchain" && arguments == 0) {
    if (auto refused = read_only()) return *refused;
    return reply(gate_.call([](ApiBackend& backend) { return backend.last_block_json(); }),
                 [](std::string block) { return block + '\n'; });
  }

  if (endpoint == "ledger") {
    auto timeout = options_.write_timeout;
    switch (arguments) {
      case 0:
        if (auto refused = read_only()) return *refused;
        return reply(gate_.call([](ApiBackend& backend) { return backend.current_data(); }),
                     ledger_json);
      case 1: {
        std::string bucket = segments[2];
        if (method == "DELETE") {
          return reply(gate_.call([bucket, timeout](ApiBackend& backend) {
            backend.announce_delete_bucket(bucket, timeout);
            return true;
          }),
                       [](bool) { return announcing_json(); });
        }
        if (!is_read(method)) return method_not_allowed("GET, HEAD, DELETE");
        return reply(gate_.call([bucket](ApiBackend& backend) {
          auto data = backend.current_data();
          auto it = data.find(bucket);
          return it == data.end() ? std::optional<ledger::BucketValues>() : std::move(it->second);
        }),
                     [](const std::optional<ledger::BucketValues>& values) {
                       return bucket_json(values ? &*values : nullptr);
                     });
      }
      case 2: {
        std::string bucket = segments[2], key = segments[3];
        if (method == "DELETE") {
          return reply(gate_.call([bucket, key, timeout](ApiBackend& backend) {
            backend.announce_delete(bucket, key, timeout);
            return true;
          }),
                       [](bool) { return announcing_json(); });
        }
        if (!is_read(method)) return method_not_allowed("GET, HEAD, DELETE");
        return reply(gate_.call([bucket, key](ApiBackend& backend) -> std::optional<std::string> {
          auto data = backend.current_data();
          auto it = data.find(bucket);
          if (it == data.end()) return std::nullopt;
          auto value = it->second.find(key);
          if (value == it->second.end()) return std::nullopt;
          return std::move(value->second);
        }),
                     [](const std::optional<std::string>& value) {
                       return value_json(value ? &*value : nullptr);
                     });
      }
      case 3: {
        if (method != "PUT") return method_not_allowed("PUT");
        std::string bucket = segments[2], key = segments[3];
        std::string value = ledger::go_quote(segments[4]);  // Go stores the JSON of the string
        return reply(gate_.call([bucket, key, value, timeout](ApiBackend& backend) {
          backend.persist(bucket, key, value, timeout);
          return true;
        }),
                     [](bool) { return announcing_json(); });
      }
      default: return not_found();
    }
  }

  if (endpoint == "peergate" && arguments <= 1) {
    if (arguments == 0) {
      if (auto refused = read_only()) return *refused;
      auto result = gate_.call([](ApiBackend& backend) { return backend.peergate_enabled(); });
      if (!result.ok()) return backend_error(result.error());
      if (!*result) return error_response(404, "PeerGate is not running (start with --peerguard)");
      return json_response(200, bool_json(**result));
    }
    if (method != "PUT") return method_not_allowed("PUT");
    const std::string& state = segments[2];
    if (state != "enable" && state != "disable") {
      return error_response(400, "state must be enable or disable");
    }
    bool enable = state == "enable";
    auto result =
        gate_.call([enable](ApiBackend& backend) { return backend.set_peergate_enabled(enable); });
    if (!result.ok()) return backend_error(result.error());
    if (!*result) return error_response(404, "PeerGate is not running (start with --peerguard)");
    return json_response(200, bool_json(enable));
  }

  if (endpoint == "metrics" && arguments <= 2) {
    if (auto refused = read_only()) return *refused;
    if (arguments == 0) {
      return reply(gate_.call([](ApiBackend& backend) { return backend.bandwidth_total(); }),
                   stats_json);
    }
    const std::string& kind = segments[2];
    if (kind != "protocol" && kind != "peer") return not_found();
    bool by_peer = kind == "peer";
    auto fetch = [by_peer](ApiBackend& backend) {
      return by_peer ? backend.bandwidth_by_peer() : backend.bandwidth_by_protocol();
    };
    if (arguments == 1) return reply(gate_.call(fetch), stats_map_json);
    std::string wanted = segments[3];
    if (by_peer) {
      // EdgeVPN cast the text to a peer ID without decoding it (spec 15); we decode.
      if (!crypto::PeerId::parse(wanted).ok()) return error_response(400, "invalid peer ID");
    }
    return reply(gate_.call(fetch), [by_peer, wanted](const auto& stats) {
      if (by_peer) {
        PeerSet one({wanted});
        for (const auto& [id, value] : stats) {
          if (one.contains(id)) return stats_json(value);
        }
        return stats_json(BandwidthStats{});
      }
      auto it = stats.find(wanted);
      return stats_json(it == stats.end() ? BandwidthStats{} : it->second);
    });
  }

  return not_found();
}

}  // namespace edgevpn::api
