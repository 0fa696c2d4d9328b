// The endpoints of spec 11 as a table of routes (endpoint, number of path arguments, methods), one
// handler per route, each making one backend round trip on the io thread; JSON bodies from
// api_views and {"message": ...} errors.
#include "api/api_router.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "api/api_records.hpp"
#include "api/api_views.hpp"
#include "api/dns_types.hpp"
#include "api/request_path.hpp"
#include "crypto/peer_id.hpp"
#include "ledger/go_json.hpp"

namespace edgevpn::api {
namespace {

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

bool is_read(const std::string& method) {
  return method == "GET" || method == "HEAD";
}

// A backend round trip's result as 200 with render(value), or the backend's error.
template <class Value, class Render>
HttpResponse reply(util::Result<Value> result, Render render) {
  if (!result.ok()) return backend_error(result.error());
  return json_response(200, render(*result));
}

HttpResponse announcing(util::Result<bool> result) {
  return reply(std::move(result), [](bool) { return announcing_json(); });
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

// A request matched to a route: its path arguments (the segments after /api/<endpoint>, already
// checked by check_path_arguments) and what the handlers share.
struct Call {
  const HttpRequest& request;
  std::string_view endpoint;
  std::span<const std::string> arguments;
  BackendGate& gate;
  const RouterOptions& options;
};

// The values of one bucket ({} when it does not exist), read on the io thread.
util::Result<ledger::BucketValues> read_bucket(BackendGate& gate, std::string bucket) {
  return gate.call([bucket = std::move(bucket)](ApiBackend& backend) {
    auto data = backend.current_data();
    auto it = data.find(bucket);
    return it == data.end() ? ledger::BucketValues{} : std::move(it->second);
  });
}

// --- handlers, one per route of kRoutes ---

// GET /api/summary
HttpResponse summary(const Call& call) {
  auto result = call.gate.call([](ApiBackend& backend) -> std::optional<SummaryCounts> {
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

// GET /api/machines
HttpResponse machines(const Call& call) {
  struct Snapshot {
    ledger::BucketValues machines;
    std::vector<std::string> connected, topic, online;
  };
  return reply(call.gate.call([](ApiBackend& backend) {
    Snapshot snapshot;
    auto data = backend.current_data();
    if (auto it = data.find(std::string(kMachinesBucket)); it != data.end()) {
      snapshot.machines = std::move(it->second);
    }
    snapshot.connected = backend.connected_peers();
    snapshot.topic = backend.topic_peers();
    snapshot.online = backend.available_nodes(kMachineOnlineWindow);
    return snapshot;
  }),
               [](const Snapshot& snapshot) {
                 return machines_json(snapshot.machines, PeerSet(snapshot.connected),
                                      PeerSet(snapshot.topic), PeerSet(snapshot.online));
               });
}

// GET /api/nodes
HttpResponse nodes(const Call& call) {
  using Lists = std::pair<std::vector<std::string>, std::vector<std::string>>;
  return reply(call.gate.call([](ApiBackend& backend) {
    return Lists(backend.available_nodes(kNodeOnlineWindow), backend.topic_peers());
  }),
               [](const Lists& lists) { return nodes_json(lists.first, lists.second); });
}

// GET /api/peerstore
HttpResponse peerstore(const Call& call) {
  return reply(call.gate.call([](ApiBackend& backend) { return backend.peerstore_peers(); }),
               [](const std::vector<std::string>& peers) { return peerstore_json(peers); });
}

// GET /api/users
HttpResponse users(const Call& call) {
  return reply(read_bucket(call.gate, std::string(kUsersBucket)), users_json);
}

// GET /api/services, GET /api/files: the bucket of the endpoint's name.
HttpResponse services_or_files(const Call& call) {
  return reply(read_bucket(call.gate, std::string(call.endpoint)), named_json);
}

// GET /api/dns
HttpResponse dns_records(const Call& call) {
  return reply(read_bucket(call.gate, std::string(kDnsBucket)), dns_json);
}

// POST /api/dns {"Regex": ..., "Records": {"A": ...}}
HttpResponse dns_write(const Call& call) {
  auto write = parse_dns_body(call.request.body);
  if (!write.ok()) return error_response(400, write.error().message);
  return announcing(call.gate.call(
      [write = std::move(*write), timeout = call.options.write_timeout](ApiBackend& backend) {
        backend.persist(std::string(kDnsBucket), write.regex, write.value_json, timeout);
        return true;
      }));
}

// GET /api/blockchain
HttpResponse blockchain(const Call& call) {
  return reply(call.gate.call([](ApiBackend& backend) { return backend.last_block_json(); }),
               [](std::string block) { return block + '\n'; });
}

// GET /api/ledger
HttpResponse ledger_data(const Call& call) {
  return reply(call.gate.call([](ApiBackend& backend) { return backend.current_data(); }),
               ledger_json);
}

// GET /api/ledger/{bucket}: null when the bucket does not exist.
HttpResponse ledger_bucket(const Call& call) {
  return reply(call.gate.call([bucket = call.arguments[0]](ApiBackend& backend) {
    auto data = backend.current_data();
    auto it = data.find(bucket);
    return it == data.end() ? std::optional<ledger::BucketValues>() : std::move(it->second);
  }),
               [](const std::optional<ledger::BucketValues>& values) {
                 return bucket_json(values ? &*values : nullptr);
               });
}

// DELETE /api/ledger/{bucket}
HttpResponse ledger_delete_bucket(const Call& call) {
  return announcing(call.gate.call(
      [bucket = call.arguments[0], timeout = call.options.write_timeout](ApiBackend& backend) {
        backend.announce_delete_bucket(bucket, timeout);
        return true;
      }));
}

// GET /api/ledger/{bucket}/{key}: "" when there is no such key.
HttpResponse ledger_value(const Call& call) {
  return reply(call.gate.call([bucket = call.arguments[0], key = call.arguments[1]](
                                  ApiBackend& backend) -> std::optional<std::string> {
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

// DELETE /api/ledger/{bucket}/{key}
HttpResponse ledger_delete_value(const Call& call) {
  return announcing(call.gate.call([bucket = call.arguments[0], key = call.arguments[1],
                                    timeout = call.options.write_timeout](ApiBackend& backend) {
    backend.announce_delete(bucket, key, timeout);
    return true;
  }));
}

// PUT /api/ledger/{bucket}/{key}/{value}
HttpResponse ledger_put(const Call& call) {
  return announcing(call.gate.call(
      [bucket = call.arguments[0], key = call.arguments[1],
       value = ledger::go_quote(call.arguments[2]),  // Go stores the JSON of the string
       timeout = call.options.write_timeout](ApiBackend& backend) {
        backend.persist(bucket, key, value, timeout);
        return true;
      }));
}

// GET /api/peergate: 404 without --peerguard.
HttpResponse peergate_state(const Call& call) {
  auto result = call.gate.call([](ApiBackend& backend) { return backend.peergate_enabled(); });
  if (!result.ok()) return backend_error(result.error());
  if (!*result) return error_response(404, "PeerGate is not running (start with --peerguard)");
  return json_response(200, bool_json(**result));
}

// PUT /api/peergate/{enable|disable}: 404 without --peerguard.
HttpResponse peergate_set(const Call& call) {
  const std::string& state = call.arguments[0];
  if (state != "enable" && state != "disable") {
    return error_response(400, "state must be enable or disable");
  }
  bool enable = state == "enable";
  auto result = call.gate.call(
      [enable](ApiBackend& backend) { return backend.set_peergate_enabled(enable); });
  if (!result.ok()) return backend_error(result.error());
  if (!*result) return error_response(404, "PeerGate is not running (start with --peerguard)");
  return json_response(200, bool_json(enable));
}

// GET /api/metrics: the host's byte totals and rates.
HttpResponse metrics_total(const Call& call) {
  return reply(call.gate.call([](ApiBackend& backend) { return backend.bandwidth_total(); }),
               stats_json);
}

// /api/metrics/{kind}[/...]: "peer" or "protocol".
bool is_metrics_kind(const std::string& kind) {
  return kind == "protocol" || kind == "peer";
}

util::Result<std::map<std::string, BandwidthStats>> bandwidth_by(BackendGate& gate, bool by_peer) {
  return gate.call([by_peer](ApiBackend& backend) {
    return by_peer ? backend.bandwidth_by_peer() : backend.bandwidth_by_protocol();
  });
}

// GET /api/metrics/{protocol|peer}
HttpResponse metrics_by_kind(const Call& call) {
  const std::string& kind = call.arguments[0];
  if (!is_metrics_kind(kind)) return not_found();
  return reply(bandwidth_by(call.gate, kind == "peer"), stats_map_json);
}

// GET /api/metrics/{protocol|peer}/{name}: zeros for a protocol or peer never seen.
HttpResponse metrics_of_one(const Call& call) {
  const std::string& kind = call.arguments[0];
  if (!is_metrics_kind(kind)) return not_found();
  const std::string& wanted = call.arguments[1];
  if (kind == "protocol") {
    return reply(bandwidth_by(call.gate, false),
                 [&wanted](const std::map<std::string, BandwidthStats>& stats) {
                   auto it = stats.find(wanted);
                   return stats_json(it == stats.end() ? BandwidthStats{} : it->second);
                 });
  }
  // EdgeVPN cast the text to a peer ID without decoding it (spec 15); we decode.
  if (!crypto::PeerId::parse(wanted).ok()) return error_response(400, "invalid peer ID");
  return reply(bandwidth_by(call.gate, true),
               [&wanted](const std::map<std::string, BandwidthStats>& stats) {
                 // The keys may spell the same peer differently; PeerSet compares decoded IDs.
                 PeerSet one({wanted});
                 for (const auto& [id, value] : stats) {
                   if (one.contains(id)) return stats_json(value);
                 }
                 return stats_json(BandwidthStats{});
               });
}

// kRead is GET and HEAD.
enum class Methods { kRead, kPost, kPut, kDelete };

std::string_view methods_text(Methods methods) {
  switch (methods) {
    case Methods::kRead: return "GET, HEAD";
    case Methods::kPost: return "POST";
    case Methods::kPut: return "PUT";
    case Methods::kDelete: return "DELETE";
  }
  return "";
}

bool accepts(Methods methods, const std::string& method) {
  return methods == Methods::kRead ? is_read(method) : method == methods_text(methods);
}

struct Route {
  std::string_view endpoint;  // /api/<endpoint>
  size_t arguments;           // path segments after it
  Methods methods;
  HttpResponse (*handler)(const Call&);
};

// Routes sharing an endpoint and argument count are listed together, reads first: their methods,
// in this order, are the Allow header of a 405.
constexpr Route kRoutes[] = {
    {"summary", 0, Methods::kRead, summary},
    {"machines", 0, Methods::kRead, machines},
    {"nodes", 0, Methods::kRead, nodes},
    {"peerstore", 0, Methods::kRead, peerstore},
    {"users", 0, Methods::kRead, users},
    {"services", 0, Methods::kRead, services_or_files},
    {"files", 0, Methods::kRead, services_or_files},
    {"dns", 0, Methods::kRead, dns_records},
    {"dns", 0, Methods::kPost, dns_write},
    {"blockchain", 0, Methods::kRead, blockchain},
    {"ledger", 0, Methods::kRead, ledger_data},
    {"ledger", 1, Methods::kRead, ledger_bucket},
    {"ledger", 1, Methods::kDelete, ledger_delete_bucket},
    {"ledger", 2, Methods::kRead, ledger_value},
    {"ledger", 2, Methods::kDelete, ledger_delete_value},
    {"ledger", 3, Methods::kPut, ledger_put},
    {"peergate", 0, Methods::kRead, peergate_state},
    {"peergate", 1, Methods::kPut, peergate_set},
    {"metrics", 0, Methods::kRead, metrics_total},
    {"metrics", 1, Methods::kRead, metrics_by_kind},
    {"metrics", 2, Methods::kRead, metrics_of_one},
};

constexpr bool same_path(const Route& a, const Route& b) {
  return a.endpoint == b.endpoint && a.arguments == b.arguments;
}

constexpr bool routes_are_grouped() {
  constexpr size_t kCount = std::size(kRoutes);
  for (size_t i = 0; i + 1 < kCount; ++i) {
    if (same_path(kRoutes[i], kRoutes[i + 1])) continue;
    for (size_t j = i + 2; j < kCount; ++j) {
      if (same_path(kRoutes[i], kRoutes[j])) return false;
    }
  }
  return true;
}
static_assert(routes_are_grouped(), "routes of one endpoint and argument count must be adjacent");

// The routes of /api/<endpoint> with `arguments` path arguments (adjacent in kRoutes).
std::span<const Route> routes_for(std::string_view endpoint, size_t arguments) {
  const Route* first =
      std::find_if(std::begin(kRoutes), std::end(kRoutes), [&](const Route& route) {
        return route.endpoint == endpoint && route.arguments == arguments;
      });
  const Route* last = std::find_if(first, std::end(kRoutes), [&](const Route& route) {
    return route.endpoint != endpoint || route.arguments != arguments;
  });
  return {first, last};
}

// GET / redirects to the web UI, which serves /app, /app/*, /assets/* and /favicon.svg.
std::optional<HttpResponse> web_ui(const std::string& method, const RequestPath& path,
                                   const StaticAssetHandler& assets) {
  const auto& segments = path.segments;
  bool root = segments.empty();
  bool asset = !root && (segments[0] == "app" || segments[0] == "assets" ||
                         (segments.size() == 1 && segments[0] == "favicon.svg"));
  if (!root && !asset) return std::nullopt;
  if (!is_read(method)) return method_not_allowed("GET, HEAD");
  if (root) {
    HttpResponse response;
    response.status = 301;
    response.headers.emplace_back("Location", "/app");
    return response;
  }
  auto found = assets(path.path);
  return found ? std::move(*found) : not_found();
}

}  // namespace

ApiRouter::ApiRouter(BackendGate& gate, StaticAssetHandler assets, RouterOptions options)
    : gate_(gate), assets_(assets ? std::move(assets) : placeholder_assets()), options_(options) {}

HttpResponse ApiRouter::handle(const HttpRequest& request) const {
  RequestOrigin origin{request.method, request.host, request.origin, request.sec_fetch_site,
                       request.unix_socket};
  if (auto refused = refuse_request(origin, options_.origin_policy)) {
    return error_response(403, *refused);
  }
  try {
    return route(request);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return error_response(500, "internal error");
  }
}

HttpResponse ApiRouter::route(const HttpRequest& request) const {
  auto path = decode_request_path(request.target);
  if (!path.ok()) return error_response(400, path.error().message);
  if (auto page = web_ui(request.method, *path, assets_)) return std::move(*page);

  const auto& segments = path->segments;
  if (segments.size() < 2 || segments[0] != "api") return not_found();
  const std::string& endpoint = segments[1];
  auto arguments = std::span<const std::string>(segments).subspan(2);
  if (auto checked = check_path_arguments(arguments, options_.max_segment_bytes); !checked.ok()) {
    return error_response(400, checked.error().message);
  }

  auto routes = routes_for(endpoint, arguments.size());
  if (routes.empty()) return not_found();
  for (const Route& route : routes) {
    if (accepts(route.methods, request.method)) {
      return route.handler(Call{request, endpoint, arguments, gate_, options_});
    }
  }
  std::string allow;
  for (const Route& route : routes) {
    if (!allow.empty()) allow += ", ";
    allow += methods_text(route.methods);
  }
  return method_not_allowed(allow);
}

}  // namespace edgevpn::api
