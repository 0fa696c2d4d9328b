// /dnsaddr/ resolution: TXT parsing and filtering, recursion with a fake lookup, and a real
// libresolv query against dnsmasq listening on 127.0.0.1 (skipped when dnsmasq is missing).
#include "p2p/discovery/dnsaddr.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "../host/io_thread.hpp"
#include "crypto/keys.hpp"
#include "../../../support/netns_child.hpp"
#include "p2p/mdns/dns_message.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using namespace std::chrono_literals;

crypto::PeerId random_peer() {
  return crypto::PeerId::from_public_key(crypto::PrivateKey::generate_ed25519().public_key());
}

Multiaddr parse(const std::string& text) {
  return *Multiaddr::parse(text);
}

TEST(DnsaddrTest, ParsesTxtStringsAndFiltersByPeer) {
  const auto wanted = random_peer();
  const auto other = random_peer();
  const std::vector<std::string> texts = {
      "dnsaddr=/ip4/10.0.0.1/tcp/4001/p2p/" + wanted.to_base58(),
      "dnsaddr=/ip4/10.0.0.2/tcp/4001/p2p/" + other.to_base58(),
      "dnsaddr=/ip4/10.0.0.3/tcp/4001",  // no /p2p/: does not match a filter
      "v=spf1 -all",                     // not ours
      "dnsaddr=/ip4/999.0.0.1/tcp/1",    // not a multiaddr
      "dnsaddr=/dnsaddr/deeper.test/p2p/" + wanted.to_base58(),
  };
  const auto filtered = parse_dnsaddr_texts(texts, wanted);
  ASSERT_EQ(filtered.size(), 2u);
  EXPECT_EQ(filtered[0].to_string(), "/ip4/10.0.0.1/tcp/4001/p2p/" + wanted.to_base58());
  EXPECT_EQ(filtered[1].to_string(), "/dnsaddr/deeper.test/p2p/" + wanted.to_base58());
  EXPECT_EQ(parse_dnsaddr_texts(texts, std::nullopt).size(), 4u);
}

TEST(DnsaddrTest, ReadsTxtAnswersOfAResponsePacket) {
  mdns::DnsMessage response;
  response.id = 7;
  response.flags = mdns::kFlagResponse;
  response.questions.push_back({"_dnsaddr.boot.test", mdns::record_type::kTxt});
  mdns::ResourceRecord txt;
  txt.name = "_dnsaddr.boot.test";
  txt.type = mdns::record_type::kTxt;
  txt.ttl = 60;
  txt.txt = {"dnsaddr=/ip4/1.2.3.4", "/tcp/1"};  // split strings are joined
  response.answers.push_back(txt);
  mdns::ResourceRecord a;
  a.name = "boot.test";
  a.type = mdns::record_type::kA;
  a.address = {1, 2, 3, 4};
  response.answers.push_back(a);
  auto packet = mdns::encode(response);
  ASSERT_TRUE(packet.ok());
  auto texts = txt_strings_from_response(*packet);
  ASSERT_TRUE(texts.ok()) << texts.error().describe();
  EXPECT_EQ(*texts, std::vector<std::string>{"dnsaddr=/ip4/1.2.3.4/tcp/1"});

  response.flags = mdns::kFlagResponse | 3;  // NXDOMAIN
  auto nx = txt_strings_from_response(*mdns::encode(response));
  ASSERT_FALSE(nx.ok());
  EXPECT_EQ(nx.error().code, util::Errc::kNotFound);
  EXPECT_FALSE(txt_strings_from_response(util::Bytes{1, 2, 3}).ok());
}

TEST(DnsaddrTest, ResolvesRecursivelyWithABoundedDepth) {
  const auto id = random_peer();
  const std::string suffix = "/p2p/" + id.to_base58();
  std::map<std::string, std::vector<std::string>> zone = {
      {"_dnsaddr.boot.test",
       {"dnsaddr=/dnsaddr/sub.boot.test" + suffix,
        "dnsaddr=/ip4/10.9.9.9/tcp/1/p2p/" + random_peer().to_base58()}},
      {"_dnsaddr.sub.boot.test",
       {"dnsaddr=/ip4/10.0.0.1/tcp/4001" + suffix, "dnsaddr=/ip6/::1/tcp/4001" + suffix}},
      {"_dnsaddr.loop.test", {"dnsaddr=/dnsaddr/loop.test" + suffix}},
  };
  int lookups = 0;
  TxtLookup lookup = [&](const std::string& name) -> util::Result<std::vector<std::string>> {
    ++lookups;
    auto it = zone.find(name);
    if (it == zone.end()) return util::make_error(util::Errc::kNotFound, name);
    return it->second;
  };
  auto resolved = resolve_dnsaddr_blocking(parse("/dnsaddr/boot.test" + suffix), lookup);
  ASSERT_TRUE(resolved.ok()) << resolved.error().describe();
  ASSERT_EQ(resolved->size(), 2u);
  EXPECT_EQ((*resolved)[0].to_string(), "/ip4/10.0.0.1/tcp/4001" + suffix);
  EXPECT_EQ((*resolved)[1].to_string(), "/ip6/::1/tcp/4001" + suffix);

  // A record pointing at itself stops at the depth limit.
  lookups = 0;
  auto looped = resolve_dnsaddr_blocking(parse("/dnsaddr/loop.test" + suffix), lookup, 4);
  EXPECT_FALSE(looped.ok());
  EXPECT_EQ(lookups, 4);

  // Plain addresses pass through; unknown names fail.
  auto plain = resolve_dnsaddr_blocking(parse("/ip4/1.2.3.4/tcp/5"), lookup);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->front().to_string(), "/ip4/1.2.3.4/tcp/5");
  EXPECT_FALSE(resolve_dnsaddr_blocking(parse("/dnsaddr/none.test"), lookup).ok());
}

// dnsmasq on 127.0.0.1:<port>, answering only the TXT records given; killed on destruction.
class Dnsmasq {
 public:
  Dnsmasq(uint16_t port, const std::vector<std::string>& txt_records) {
    std::vector<std::string> args = {"dnsmasq",
                                     "--keep-in-foreground",
                                     "--no-resolv",
                                     "--no-hosts",
                                     "--conf-file=/dev/null",
                                     "--listen-address=127.0.0.1",
                                     "--bind-interfaces",
                                     "--port=" + std::to_string(port),
                                     "--pid-file=",
                                     "--log-facility=/dev/null"};
    for (const auto& record : txt_records) args.push_back("--txt-record=" + record);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      execvp("dnsmasq", argv.data());
      _exit(127);
    }
  }
  ~Dnsmasq() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool exited() {
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == pid_ ? (pid_ = -1, true) : false;
  }

 private:
  pid_t pid_ = -1;
};

bool have_dnsmasq() {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/"}) {
    if (access((std::string(dir) + "dnsmasq").c_str(), X_OK) == 0) return true;
  }
  return false;
}

TEST(DnsaddrTest, ResolvesThroughARealResolverAgainstDnsmasqOnLoopback) {
  if (!have_dnsmasq()) GTEST_SKIP() << "dnsmasq not installed";
  const auto id = random_peer();
  const std::string suffix = "/p2p/" + id.to_base58();
  std::mt19937 random(std::random_device{}());
  const auto port = static_cast<uint16_t>(20000 + random() % 30000);
  Dnsmasq server(
      port, {"_dnsaddr.boot.test,dnsaddr=/dnsaddr/nested.boot.test" + suffix,
             "_dnsaddr.boot.test,dnsaddr=/ip4/127.0.0.9/tcp/9/p2p/" + random_peer().to_base58(),
             "_dnsaddr.nested.boot.test,dnsaddr=/ip4/127.0.0.1/tcp/4001" + suffix});
  DnsaddrResolverConfig config;
  config.nameserver_ip = "127.0.0.1";
  config.nameserver_port = port;
  config.timeout_seconds = 1;
  config.attempts = 1;
  const auto lookup = system_txt_lookup(config);
  // Wait until dnsmasq answers.
  util::Result<std::vector<std::string>> texts = util::make_error(util::Errc::kTimeout, "");
  for (int i = 0; i < 50 && !texts.ok(); ++i) {
    if (server.exited()) GTEST_SKIP() << "dnsmasq did not start (port in use?)";
    std::this_thread::sleep_for(100ms);
    texts = lookup("_dnsaddr.nested.boot.test");
  }
  ASSERT_TRUE(texts.ok()) << texts.error().describe();
  EXPECT_EQ(*texts, std::vector<std::string>{"dnsaddr=/ip4/127.0.0.1/tcp/4001" + suffix});

  auto resolved = resolve_dnsaddr_blocking(parse("/dnsaddr/boot.test" + suffix), lookup);
  ASSERT_TRUE(resolved.ok()) << resolved.error().describe();
  ASSERT_EQ(resolved->size(), 1u);
  EXPECT_EQ(resolved->front().to_string(), "/ip4/127.0.0.1/tcp/4001" + suffix);

  auto missing = lookup("_dnsaddr.absent.test");
  EXPECT_TRUE(!missing.ok() || missing->empty());

  // The coroutine form, off the io thread.
  edgevpn::testing::IoThread io;
  auto async = io.run(resolve_dnsaddr(parse("/dnsaddr/boot.test" + suffix), config));
  ASSERT_TRUE(async.ok()) << async.error().describe();
  EXPECT_EQ(*async, *resolved);
}

// Inside its own network and mount namespaces: lo up, dnsmasq on 127.0.0.1:53 and a resolv.conf
// naming it bind-mounted over /etc/resolv.conf (what `ip netns exec` does with
// /etc/netns/NAME/resolv.conf). The default resolver configuration must find the records.
std::string resolves_through_the_namespace_resolv_conf() {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return "SKIP: cannot make mounts private";
  }
  if (std::system("ip link set lo up") != 0) return "SKIP: cannot bring lo up";
  char directory[] = "/tmp/edgevpn-dnsaddr-XXXXXX";
  if (mkdtemp(directory) == nullptr) return "SKIP: mkdtemp failed";
  const std::string resolv_conf = std::string(directory) + "/resolv.conf";
  std::ofstream(resolv_conf) << "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
  if (mount(resolv_conf.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0) {
    return "SKIP: cannot bind-mount /etc/resolv.conf";
  }
  const auto id = random_peer();
  const std::string suffix = "/p2p/" + id.to_base58();
  Dnsmasq server(53, {"_dnsaddr.bootstrap.test,dnsaddr=/ip4/10.1.2.3/tcp/4001" + suffix});
  const auto lookup = system_txt_lookup();
  util::Result<std::vector<Multiaddr>> resolved =
      util::make_error(util::Errc::kTimeout, "dnsmasq never answered");
  for (int i = 0; i < 50 && !resolved.ok(); ++i) {
    if (server.exited()) return "dnsmasq exited";
    std::this_thread::sleep_for(100ms);
    resolved = resolve_dnsaddr_blocking(parse("/dnsaddr/bootstrap.test" + suffix), lookup);
  }
  std::remove(resolv_conf.c_str());
  rmdir(directory);
  if (!resolved.ok()) return "resolve: " + resolved.error().describe();
  if (resolved->size() != 1 || resolved->front().to_string() != "/ip4/10.1.2.3/tcp/4001" + suffix) {
    return "unexpected result " + resolved->front().to_string();
  }
  return "";
}

TEST(DnsaddrTest, ResolvesThroughTheNamespacesOwnResolvConf) {
  if (!have_dnsmasq()) GTEST_SKIP() << "dnsmasq not installed";
  EDGEVPN_IN_OWN_NETNS(resolves_through_the_namespace_resolv_conf, std::chrono::seconds(30),
                       CLONE_NEWNS);
}

}  // namespace
}  // namespace edgevpn::p2p::discovery
