// ApiServer end to end over HTTP on loopback: each endpoint of spec 11 against a real
// LedgerState served from a separate "io thread", writes that change the state, malformed
// requests, the io-thread timeout, unix sockets and bind errors.
#include "api/api_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/cid.hpp"
#include "test_backend.hpp"

namespace edgevpn::api {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::IoThread;
using testing::LedgerBackend;
using testing::peer_id;

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string location;
  json parsed;  // discarded when the body is not JSON
};

Reply to_reply(const httplib::Result& result) {
  Reply reply;
  if (!result) {
    ADD_FAILURE() << "HTTP request failed: " << httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.body = result->body;
  reply.content_type = result->get_header_value("Content-Type");
  reply.location = result->get_header_value("Location");
  reply.parsed = json::parse(reply.body, nullptr, false);
  return reply;
}

std::string machine_json(const std::string& peer, const std::string& hostname,
                         const std::string& address) {
  return ledger::GoObjectWriter()
      .field_string("PeerID", peer)
      .field_string("Hostname", hostname)
      .field_string("OS", "linux")
      .field_string("Arch", "amd64")
      .field_string("Address", address)
      .field_string("Version", "v1")
      .finish();
}

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  void start(ApiServerOptions options = {}) {
    if (options.backend_timeout == ApiServerOptions{}.backend_timeout) options.backend_timeout = 2s;
    server_ = std::make_unique<ApiServer>(backend_, io_.executor(), std::move(options));
    auto started = server_->start("127.0.0.1:0");
    ASSERT_TRUE(started.ok()) << started.error().describe();
    ASSERT_GT(server_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_url_encode(false);
    client_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
    EXPECT_EQ(backend_.off_thread_calls.load(), 0) << "backend called off the io thread";
  }

  Reply get(const std::string& path) { return to_reply(client_->Get(path)); }
  Reply put(const std::string& path) { return to_reply(client_->Put(path)); }
  Reply del(const std::string& path) { return to_reply(client_->Delete(path)); }
  Reply post(const std::string& path, const std::string& body) {
    return to_reply(client_->Post(path, body, "application/json"));
  }

  // Runs on the io thread: the backend's state is the node's, owned by that thread.
  template <class Fn>
  auto on_io(Fn fn) {
    return io_.run(std::move(fn));
  }
  std::optional<std::string> stored(const std::string& bucket, const std::string& key) {
    return on_io([&] { return backend_.state.get(bucket, key); });
  }

  IoThread io_;
  LedgerBackend backend_{io_};
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ApiServerTest, SummaryCountsLiveKeysPeersAndHeight) {
  const std::string a = peer_id(2), b = peer_id(3);
  on_io([&] {
    auto now = backend_.now();
    backend_.state.add("machines", "10.1.0.1", machine_json(a, "ha", "10.1.0.1"), now);
    backend_.state.add("machines", "10.1.0.2", machine_json(b, "hb", "10.1.0.2"), now);
    backend_.state.add("users", a, R"({"PeerID":"x","Timestamp":"t"})", now);
    backend_.state.add("services", "web", R"({"PeerID":"x","Name":"web"})", now);
    backend_.topic = {a, b};
    backend_.peerstore = {a, b, peer_id(4)};
  });
  int64_t height = on_io([&] { return backend_.state.index(); });
  ASSERT_EQ(height, 4);

  Reply reply = get("/api/summary");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "application/json; charset=UTF-8");
  EXPECT_EQ(reply.body, R"({"Files":0,"Machines":2,"Users":1,"Services":1,"BlockChain":4,)"
                        R"("OnChainNodes":2,"Peers":3,"NodeID":")" +
                            backend_.self + "\"}\n");
}

TEST_F(ApiServerTest, SummaryFailsUntilTheTopicIsJoined) {
  on_io([&] { backend_.joined = false; });
  Reply reply = get("/api/summary");
  EXPECT_EQ(reply.status, 500);
  EXPECT_TRUE(reply.parsed.contains("message"));
  on_io([&] { backend_.joined = true; });
  EXPECT_EQ(get("/api/summary").status, 200);
}

TEST_F(ApiServerTest, MachinesReportConnectedOnChainAndOnlineFromDecodedIds) {
  const std::string a = peer_id(2), b = peer_id(3), c = peer_id(4);
  // Peer c is listed by the host in its CID spelling: decoding must still match it.
  std::string c_as_cid = crypto::PeerId::parse(c)->to_cid();
  on_io([&] {
    auto now = backend_.now();
    backend_.state.add("machines", "10.1.0.1", machine_json(a, "ha", "10.1.0.1"), now);
    backend_.state.add("machines", "10.1.0.2", machine_json(b, "hb", "10.1.0.2"), now);
    backend_.state.add("machines", "10.1.0.3", machine_json(c, "hc", "10.1.0.3"), now);
    backend_.state.add("machines", "10.1.0.4", "not json", now);
    backend_.heartbeat(a);
    backend_.heartbeat(b, 30min);  // too old for Online (20 min)
    backend_.heartbeat(c, 19min);
    backend_.connected = {a, c_as_cid, "garbage"};
    backend_.topic = {b};
  });

  Reply reply = get("/api/machines");
  ASSERT_EQ(reply.status, 200);
  ASSERT_TRUE(reply.parsed.is_array());
  ASSERT_EQ(reply.parsed.size(), 4u);
  EXPECT_EQ(reply.body.substr(0, 2 + 10 + a.size() + 1),
            "[{\"PeerID\":\"" + a + "\"");  // Go's field order starts with PeerID
  auto find = [&](const std::string& address) {
    for (const auto& m : reply.parsed) {
      if (m["Address"] == address) return m;
    }
    return json();
  };
  json ma = find("10.1.0.1"), mb = find("10.1.0.2"), mc = find("10.1.0.3");
  EXPECT_EQ(ma, json::parse(R"({"PeerID":")" + a +
                            R"(","Hostname":"ha","OS":"linux",)"
                            R"("Arch":"amd64","Address":"10.1.0.1","Version":"v1",)"
                            R"("Connected":true,"OnChain":false,"Online":true})"));
  EXPECT_EQ(mb["Connected"], false);
  EXPECT_EQ(mb["OnChain"], true);
  EXPECT_EQ(mb["Online"], false);
  EXPECT_EQ(mc["Connected"], true);
  EXPECT_EQ(mc["Online"], true);
  // The undecodable value is listed with empty fields, as Go's Unmarshal leaves them.
  json empty = reply.parsed[3];
  EXPECT_EQ(empty["PeerID"], "");
  EXPECT_EQ(empty["Connected"], false);
}

TEST_F(ApiServerTest, NodesAreTheUnionOfRecentHeartbeatsAndTopicPeers) {
  const std::string a = peer_id(2), b = peer_id(3), c = peer_id(4), d = peer_id(5);
  on_io([&] {
    backend_.heartbeat(a, 1min);
    backend_.heartbeat(b, 11min);  // older than 10 min: not online
    backend_.topic = {a, c};
    backend_.peerstore = {a, b, c, d};
  });
  Reply nodes = get("/api/nodes");
  ASSERT_EQ(nodes.status, 200);
  std::set<std::string> ids;
  for (const auto& node : nodes.parsed) {
    EXPECT_EQ(node["Online"], true);
    ids.insert(node["ID"].get<std::string>());
  }
  EXPECT_EQ(nodes.parsed.size(), 2u);
  EXPECT_EQ(ids, (std::set<std::string>{a, c}));

  Reply peers = get("/api/peerstore");
  ASSERT_EQ(peers.status, 200);
  EXPECT_EQ(peers.body, R"([{"ID":")" + a + R"(","Online":false},{"ID":")" + b +
                            R"(","Online":false},{"ID":")" + c + R"(","Online":false},{"ID":")" +
                            d + "\",\"Online\":false}]\n");
}

TEST_F(ApiServerTest, UsersServicesAndFilesHaveGoShapes) {
  const std::string a = peer_id(2);
  on_io([&] {
    auto now = backend_.now();
    backend_.state.add("users", a, R"({"PeerID":")" + a + R"(","Timestamp":"2024-01-01 <x>"})",
                       now);
    backend_.state.add("services", "web", R"({"peerid":")" + a + R"(","Name":"web"})", now);
    backend_.state.add("files", "f.txt", R"({"PeerID":")" + a + R"(","Name":"f.txt"})", now);
  });
  Reply users = get("/api/users");
  ASSERT_EQ(users.status, 200);
  // Go's HTML-safe escaping of < and >.
  EXPECT_EQ(users.body, R"([{"PeerID":")" + a +
                            R"(","Timestamp":"2024-01-01 \u003cx\u003e"}])"
                            "\n");
  Reply services = get("/api/services");
  EXPECT_EQ(services.body, R"([{"PeerID":")" + a +
                               R"(","Name":"web"}])"
                               "\n");
  Reply files = get("/api/files");
  EXPECT_EQ(files.body, R"([{"PeerID":")" + a +
                            R"(","Name":"f.txt"}])"
                            "\n");
  EXPECT_EQ(get("/api/files/").body, files.body);  // trailing slash ignored
}

TEST_F(ApiServerTest, DnsPostPersistsTypeCodesAndGetShowsNames) {
  Reply posted =
      post("/api/dns",
           R"({"Regex":"foo\\.bar\\.","Records":{"A":"10.1.0.2","AAAA":"fd00::2","TXT":"hi"}})");
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.body, "{\"State\":\"Announcing\"}\n");
  // Go's JSON of map[dns.Type]string: decimal keys in string order.
  EXPECT_EQ(stored("dns", "foo\\.bar\\."), R"({"1":"10.1.0.2","16":"hi","28":"fd00::2"})");
  auto writes = on_io([&] { return backend_.writes; });
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].timeout, 20s);

  Reply listed = get("/api/dns");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.parsed, json::parse(R"([{"Regex":"foo\\.bar\\.","Records":)"
                                       R"({"A":"10.1.0.2","AAAA":"fd00::2","TXT":"hi"}}])"));
}

TEST_F(ApiServerTest, DnsPostRejectsMalformedBodiesWith400) {
  for (std::string body :
       {"", "{", "[]", "42", R"({"Records":{"A":"1.2.3.4"}})",
        R"({"Regex":"","Records":{"A":"1.2.3.4"}})", R"({"Regex":"x","Records":[]})",
        R"({"Regex":"x","Records":{"A":1}})", R"({"Regex":"x","Records":{"BOGUS":"v"}})",
        R"({"Regex":"x","Records":{"A":"not-an-ip"}})",
        R"({"Regex":"x","Records":{"AAAA":"10.1.0.1"}})"}) {
    Reply reply = post("/api/dns", body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_TRUE(reply.parsed.is_object() && reply.parsed["message"].is_string()) << reply.body;
  }
  EXPECT_TRUE(on_io([&] { return backend_.writes.empty(); }));
}

TEST_F(ApiServerTest, BlockchainIsTheLastBlockAsOnTheWire) {
  on_io([&] { backend_.state.add("b", "k", "\"<v>\"", backend_.now()); });
  std::string wire = on_io([&] { return ledger::encode_block(backend_.state.last_block()); });
  Reply reply = get("/api/blockchain");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, wire + "\n");
  auto decoded = ledger::decode_block(reply.body);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->index, 1);
}

TEST_F(ApiServerTest, LedgerReadsReturnValueTextAsStrings) {
  on_io([&] {
    backend_.state.add("b", "k", R"({"x":1})", backend_.now());
    backend_.state.add("c", "k2", R"("s")", backend_.now());
  });
  EXPECT_EQ(get("/api/ledger").body, R"({"b":{"k":"{\"x\":1}"},"c":{"k2":"\"s\""}})"
                                     "\n");
  EXPECT_EQ(get("/api/ledger/b").body, R"({"k":"{\"x\":1}"})"
                                       "\n");
  EXPECT_EQ(get("/api/ledger/b/k").body, R"("{\"x\":1}")"
                                         "\n");
  EXPECT_EQ(get("/api/ledger/missing").body, "null\n");
  EXPECT_EQ(get("/api/ledger/b/missing").body, "\"\"\n");
  EXPECT_EQ(get("/api/ledger/missing/k").body, "\"\"\n");
}

TEST_F(ApiServerTest, PutAndDeleteChangeTheLedger) {
  Reply put_reply = put("/api/ledger/mybucket/mykey/myvalue");
  ASSERT_EQ(put_reply.status, 200);
  EXPECT_EQ(put_reply.body, "{\"State\":\"Announcing\"}\n");
  EXPECT_EQ(stored("mybucket", "mykey"), "\"myvalue\"");  // the JSON of the string
  EXPECT_EQ(get("/api/ledger/mybucket/mykey").body, R"("\"myvalue\"")"
                                                    "\n");

  // Percent-encoded segments are decoded one by one: %2F stays inside the value.
  ASSERT_EQ(put("/api/ledger/mybucket/k%20two/a%2Fb%3Cc").status, 200);
  EXPECT_EQ(stored("mybucket", "k two"), R"("a/b\u003cc")");

  ASSERT_EQ(del("/api/ledger/mybucket/mykey").status, 200);
  EXPECT_EQ(stored("mybucket", "mykey"), std::nullopt);
  EXPECT_TRUE(stored("mybucket", "k two").has_value());

  ASSERT_EQ(put("/api/ledger/other/k/v").status, 200);
  Reply deleted = del("/api/ledger/mybucket");
  ASSERT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body, "{\"State\":\"Announcing\"}\n");
  EXPECT_EQ(get("/api/ledger/mybucket").body, "null\n");
  EXPECT_EQ(stored("other", "k"), "\"v\"");

  auto writes = on_io([&] { return backend_.writes; });
  ASSERT_EQ(writes.size(), 5u);
  EXPECT_EQ(writes[2].op, "delete");
  EXPECT_EQ(writes[4].op, "delete_bucket");
  for (const auto& write : writes) EXPECT_EQ(write.timeout, 20s);
}

TEST_F(ApiServerTest, MalformedRequestsGetJson4xx) {
  struct Case {
    std::string method, path;
    int status;
  };
  std::vector<Case> cases = {
      {"GET", "/nope", 404},
      {"GET", "/api", 404},
      {"GET", "/api/nope", 404},
      {"GET", "/api/ledger/a/b/c/d", 404},
      {"GET", "/api/summary/extra", 404},
      {"GET", "/api/metrics/bogus", 404},
      {"POST", "/api/summary", 405},
      {"DELETE", "/api/machines", 405},
      {"PUT", "/api/ledger/a/b", 405},
      {"GET", "/api/ledger/a/b/c", 405},
      {"PATCH", "/api/ledger/a", 405},
      {"DELETE", "/api/ledger", 405},
      {"POST", "/", 405},
      {"GET", "/api/ledger//k", 400},
      {"PUT", "/api/ledger/a//v", 400},
      {"GET", "/api/ledger/%zz", 400},
      {"GET", "/api/ledger/a%2", 400},
      {"PUT", "/api/ledger/a/b/%ff%fe", 400},
      {"GET", "/api/ledger/" + std::string(5000, 'x'), 400},
      {"GET", "/api/metrics/peer/not-a-peer", 400},
      {"PUT", "/api/peergate/maybe", 400},
      {"GET", "/api/peergate", 404},
  };
  for (const auto& c : cases) {
    httplib::Request request;
    request.method = c.method;
    request.path = c.path;
    Reply reply = to_reply(client_->send(request));
    EXPECT_EQ(reply.status, c.status) << c.method << " " << c.path;
    EXPECT_TRUE(reply.parsed.is_object() && reply.parsed["message"].is_string())
        << c.method << " " << c.path << " -> " << reply.body;
  }
  EXPECT_TRUE(on_io([&] { return backend_.writes.empty(); }));
}

TEST_F(ApiServerTest, MethodNotAllowedNamesTheMethodsOfThatPath) {
  const std::vector<std::array<std::string, 3>> cases = {
      {"POST", "/api/summary", "GET, HEAD"},
      {"PUT", "/api/dns", "GET, HEAD, POST"},
      {"DELETE", "/api/ledger", "GET, HEAD"},
      {"PUT", "/api/ledger/a", "GET, HEAD, DELETE"},
      {"POST", "/api/ledger/a/b", "GET, HEAD, DELETE"},
      {"GET", "/api/ledger/a/b/c", "PUT"},
      {"GET", "/api/peergate/enable", "PUT"},
      {"PUT", "/api/metrics/peer", "GET, HEAD"},
      {"DELETE", "/app", "GET, HEAD"},
      {"POST", "/", "GET, HEAD"},
  };
  for (const auto& [method, path, allow] : cases) {
    httplib::Request request;
    request.method = method;
    request.path = path;
    auto result = client_->send(request);
    ASSERT_TRUE(result) << method << " " << path;
    EXPECT_EQ(result->status, 405) << method << " " << path;
    EXPECT_EQ(result->get_header_value("Allow"), allow) << method << " " << path;
  }
}

TEST_F(ApiServerTest, OversizedBodiesAndHeadRequests) {
  Reply large = post("/api/dns", std::string(2 << 20, ' '));
  EXPECT_EQ(large.status, 413);
  EXPECT_TRUE(large.parsed.is_object() && large.parsed["message"].is_string()) << large.body;

  auto head = client_->Head("/api/ledger");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(head->get_header_value("Content-Type"), "application/json; charset=UTF-8");
}

TEST_F(ApiServerTest, RootRedirectsToTheAppWhichServesThePlaceholder) {
  Reply root = get("/");
  EXPECT_EQ(root.status, 301);
  EXPECT_EQ(root.location, "/app");
  Reply app = get("/app");
  EXPECT_EQ(app.status, 200);
  EXPECT_NE(app.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(app.body.find("/api/summary"), std::string::npos);
  EXPECT_EQ(get("/app/nodes").status, 200);  // SPA routes
  EXPECT_EQ(get("/assets/index.js").status, 404);
}

TEST_F(ApiServerTest, StaticAssetHandlerReplacesThePlaceholder) {
  ApiServerOptions options;
  options.assets = [](std::string_view path) -> std::optional<HttpResponse> {
    if (path != "/assets/app.js") return std::nullopt;
    HttpResponse response;
    response.content_type = "text/javascript";
    response.body = "console.log(1)";
    response.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    return response;
  };
  server_.reset();
  start(std::move(options));
  auto result = client_->Get("/assets/app.js");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "console.log(1)");
  EXPECT_EQ(result->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(get("/app").status, 404);
}

TEST_F(ApiServerTest, MetricsTotalsPerProtocolAndPerDecodedPeer) {
  const std::string a = peer_id(2);
  on_io([&] {
    backend_.total = {100, 200, 1.5, 0};
    backend_.by_protocol["/meshsub/1.1.0"] = {10, 20, 0.25, 1e-7};
    backend_.by_peer[a] = {7, 8, 0, 0};
  });
  EXPECT_EQ(get("/api/metrics").body, R"({"TotalIn":100,"TotalOut":200,"RateIn":1.5,"RateOut":0})"
                                      "\n");
  EXPECT_EQ(get("/api/metrics/protocol").body,
            R"({"/meshsub/1.1.0":{"TotalIn":10,"TotalOut":20,"RateIn":0.25,"RateOut":1e-7}})"
            "\n");
  EXPECT_EQ(get("/api/metrics/protocol/%2Fmeshsub%2F1.1.0").parsed["TotalOut"], 20);
  EXPECT_EQ(get("/api/metrics/protocol/%2Funknown").parsed["TotalOut"], 0);
  // EdgeVPN cast the text without decoding and always answered zeros (spec 15).
  EXPECT_EQ(get("/api/metrics/peer/" + a).parsed["TotalIn"], 7);
  EXPECT_EQ(get("/api/metrics/peer/" + crypto::PeerId::parse(a)->to_cid()).parsed["TotalIn"], 7);
  EXPECT_EQ(get("/api/metrics/peer").parsed[a]["TotalOut"], 8);
}

TEST_F(ApiServerTest, PeergateTogglesWhenRunning) {
  on_io([&] { backend_.peergate = false; });
  EXPECT_EQ(get("/api/peergate").body, "false\n");
  EXPECT_EQ(put("/api/peergate/enable").body, "true\n");
  EXPECT_EQ(get("/api/peergate").body, "true\n");
  EXPECT_EQ(put("/api/peergate/disable").status, 200);
  EXPECT_EQ(on_io([&] { return backend_.peergate; }), false);
}

TEST_F(ApiServerTest, BusyIoThreadGives503AfterTheTimeout) {
  server_.reset();
  ApiServerOptions options;
  options.backend_timeout = 300ms;
  start(std::move(options));
  io_.pause();
  auto begin = std::chrono::steady_clock::now();
  Reply reply = get("/api/ledger");
  auto waited = std::chrono::steady_clock::now() - begin;
  io_.resume();
  EXPECT_EQ(reply.status, 503);
  EXPECT_TRUE(reply.parsed["message"].is_string());
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 5s);
  EXPECT_EQ(get("/api/ledger").status, 200);  // the io thread is back
}

TEST_F(ApiServerTest, StopReleasesRequestsWaitingForTheIoThread) {
  server_.reset();
  ApiServerOptions options;
  options.backend_timeout = 30s;
  start(std::move(options));
  io_.pause();
  std::promise<int> status;
  std::thread waiter([&] {
    auto result = client_->Get("/api/summary");
    status.set_value(result ? result->status : -1);
  });
  std::this_thread::sleep_for(200ms);
  auto begin = std::chrono::steady_clock::now();
  server_->stop();
  waiter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 10s);
  EXPECT_EQ(status.get_future().get(), 503);
  io_.resume();
  EXPECT_FALSE(server_->running());
  EXPECT_EQ(server_->endpoint(), "");
}

TEST_F(ApiServerTest, ForeignHostsAndCrossSiteWritesAreRefusedWith403) {
  // DNS rebinding: a name that is not this machine's.
  auto rebound = client_->Get("/api/summary", {{"Host", "attacker.example:8080"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  EXPECT_NE(rebound->body.find("attacker.example"), std::string::npos);
  // A page elsewhere posting text/plain (no preflight) must not write the ledger.
  auto forged = client_->Put("/api/ledger/b/k/v", {{"Origin", "http://evil.example"}}, "",
                             "text/plain");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_EQ(stored("b", "k"), std::nullopt);
  // The web UI, served from this address, writes.
  std::string self = "http://127.0.0.1:" + std::to_string(server_->port());
  auto own = client_->Put("/api/ledger/b/k/v", {{"Origin", self}}, "", "text/plain");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
}

TEST_F(ApiServerTest, ConfiguredHostNamesAreServed) {
  ApiServerOptions options;
  options.router.origin_policy.allowed_hosts = {"edgevpn.lan"};
  server_.reset();
  start(std::move(options));
  auto named = client_->Get("/api/summary", {{"Host", "edgevpn.lan:8080"}});
  ASSERT_TRUE(named);
  EXPECT_EQ(named->status, 200);
  auto other = client_->Get("/api/summary", {{"Host", "other.lan"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
}

TEST_F(ApiServerTest, PortInUseIsAClearError) {
  ApiServer second(backend_, io_.executor());
  auto started = second.start("127.0.0.1:" + std::to_string(server_->port()));
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, util::Errc::kIo);
  EXPECT_NE(started.error().message.find("in use"), std::string::npos) << started.error().message;
  EXPECT_NE(started.error().message.find(std::to_string(server_->port())), std::string::npos);
  EXPECT_FALSE(second.running());
  // The first server is unaffected.
  EXPECT_EQ(get("/api/ledger").status, 200);
}

TEST_F(ApiServerTest, StartingTwiceOrWithABadSpecFails) {
  auto again = server_->start("127.0.0.1:0");
  EXPECT_FALSE(again.ok());
  ApiServer other(backend_, io_.executor());
  for (const char* spec : {"8080", "127.0.0.1:99999", "127.0.0.1:x", "unix://", "::1:80"}) {
    auto started = other.start(spec);
    ASSERT_FALSE(started.ok()) << spec;
    EXPECT_EQ(started.error().code, util::Errc::kInvalidArgument) << spec;
  }
  auto unresolvable = other.start("no-such-host.invalid:8080");
  EXPECT_FALSE(unresolvable.ok());
}

class ApiUnixSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgevpn-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "api.sock").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Reply get(const std::string& path) {
    httplib::Client client(path_);
    client.set_address_family(AF_UNIX);
    return to_reply(client.Get(path));
  }
  unsigned mode() {
    struct stat info {};
    EXPECT_EQ(::stat(path_.c_str(), &info), 0);
    return info.st_mode & 0777;
  }

  IoThread io_;
  LedgerBackend backend_{io_};
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(ApiUnixSocketTest, ServesOnAUnixSocketWithMode0660AndRemovesItOnStop) {
  ::unsetenv("APILISTENUNIXMODE");
  ApiServer server(backend_, io_.executor());
  auto started = server.start("unix://" + path_);
  ASSERT_TRUE(started.ok()) << started.error().describe();
  EXPECT_EQ(server.endpoint(), "unix://" + path_);
  EXPECT_EQ(server.port(), 0);
  EXPECT_EQ(mode(), 0660u);
  io_.run([&] { backend_.state.add("b", "k", "\"v\"", backend_.now()); });
  Reply reply = get("/api/ledger/b/k");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"("\"v\"")"
                        "\n");
  server.stop();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(ApiUnixSocketTest, ModeComesFromTheEnvironmentAndBadModesAreRefused) {
  ::setenv("APILISTENUNIXMODE", "0600", 1);
  {
    ApiServer server(backend_, io_.executor());
    ASSERT_TRUE(server.start("unix://" + path_).ok());
    EXPECT_EQ(mode(), 0600u);
  }
  ::setenv("APILISTENUNIXMODE", "rw-rw----", 1);
  ApiServer server(backend_, io_.executor());
  auto started = server.start("unix://" + path_);
  ::unsetenv("APILISTENUNIXMODE");
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("APILISTENUNIXMODE"), std::string::npos);
}

TEST_F(ApiUnixSocketTest, StaleSocketIsReplacedButLiveSocketsAndFilesAreNot) {
  // A socket file nobody listens on (its process died).
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(path_));

  ApiServer first(backend_, io_.executor());
  ASSERT_TRUE(first.start("unix://" + path_).ok());
  EXPECT_EQ(get("/api/ledger").status, 200);

  ApiServer second(backend_, io_.executor());
  auto in_use = second.start("unix://" + path_);
  ASSERT_FALSE(in_use.ok());
  EXPECT_NE(in_use.error().message.find("running server"), std::string::npos);
  EXPECT_EQ(get("/api/ledger").status, 200);  // the first one still serves
  first.stop();

  std::ofstream(path_) << "precious";
  auto not_socket = second.start("unix://" + path_);
  ASSERT_FALSE(not_socket.ok());
  EXPECT_NE(not_socket.error().message.find("not a socket"), std::string::npos);
  std::ifstream kept(path_);
  std::string content;
  kept >> content;
  EXPECT_EQ(content, "precious");
}

}  // namespace
}  // namespace edgevpn::api
