#include "p2p/multiaddr/multiaddr.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <unordered_set>

#include "util/encoding.hpp"

namespace edgevpn::p2p {
namespace {

namespace code = multiaddr_code;

util::Bytes hex(std::string_view text) {
  auto bytes = util::hex_decode(text);
  EXPECT_TRUE(bytes.ok()) << text;
  return bytes.ok() ? *bytes : util::Bytes{};
}

Multiaddr must_parse(std::string_view text) {
  auto addr = Multiaddr::parse(text);
  EXPECT_TRUE(addr.ok()) << text << ": " << (addr.ok() ? "" : addr.error().describe());
  return addr.ok() ? *addr : Multiaddr();
}

std::vector<std::pair<std::string, std::string>> js_vectors() {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(std::string(EDGEVPN_VECTORS_DIR) + "/p2p/multiaddrs.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    out.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  return out;
}

TEST(Multiaddr, MatchesJsMultiaddrBinaryAndText) {
  const auto vectors = js_vectors();
  ASSERT_GE(vectors.size(), 10u);
  for (const auto& [text, binary] : vectors) {
    auto parsed = Multiaddr::parse(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().describe();
    EXPECT_EQ(util::hex_encode(parsed->bytes()), binary) << text;
    EXPECT_EQ(parsed->to_string(), text);
    auto decoded = Multiaddr::from_bytes(hex(binary));
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.error().describe();
    EXPECT_EQ(*decoded, *parsed) << text;
    EXPECT_EQ(decoded->to_string(), text);
  }
}

TEST(Multiaddr, ExposesComponents) {
  const Multiaddr addr =
      must_parse("/ip4/127.0.0.1/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  ASSERT_EQ(addr.components().size(), 3u);
  EXPECT_EQ(addr.components()[0].code, code::kIp4);
  EXPECT_EQ(addr.components()[0].value, (util::Bytes{127, 0, 0, 1}));
  EXPECT_EQ(addr.components()[0].name(), "ip4");
  EXPECT_EQ(addr.components()[0].value_text(), "127.0.0.1");
  EXPECT_EQ(addr.components()[1].value_text(), "4001");
  EXPECT_EQ(addr.components()[2].name(), "p2p");
  EXPECT_EQ(addr.components()[2].value_text(), "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  EXPECT_TRUE(addr.has_protocol(code::kTcp));
  EXPECT_FALSE(addr.has_protocol(code::kUdp));
  EXPECT_EQ(addr.value_for(code::kTcp), (util::Bytes{0x0f, 0xa1}));
  EXPECT_FALSE(addr.value_for(code::kUdp).has_value());
}

TEST(Multiaddr, AcceptsCidPeerIdsAndTheIpfsAliasAndPrintsBase58) {
  const std::string base58 = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
  const Multiaddr from_cid =
      must_parse("/p2p/bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  const Multiaddr from_alias = must_parse("/ipfs/" + base58);
  EXPECT_EQ(from_cid, from_alias);
  EXPECT_EQ(from_cid.to_string(), "/p2p/" + base58);
  EXPECT_EQ(util::hex_encode(from_cid.bytes()),
            "a5032212209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9");
}

TEST(Multiaddr, UnixPathTakesTheRestOfTheAddress) {
  const Multiaddr addr = must_parse("/unix/tmp/p2p.sock");
  ASSERT_EQ(addr.components().size(), 1u);
  EXPECT_EQ(util::to_string(addr.components()[0].value), "/tmp/p2p.sock");
  EXPECT_EQ(util::hex_encode(addr.bytes()),
            "90030d" + util::hex_encode(util::to_bytes("/tmp/p2p.sock")));
  EXPECT_EQ(addr.to_string(), "/unix/tmp/p2p.sock");
  EXPECT_EQ(*Multiaddr::from_bytes(addr.bytes()), addr);
  EXPECT_EQ(must_parse("/unix/a/b/").to_string(), "/unix/a/b");
  // Binary: a path must start with '/', and nothing may follow it.
  EXPECT_FALSE(Multiaddr::from_bytes(hex("900301"
                                         "61"))
                   .ok());
  EXPECT_FALSE(Multiaddr::from_bytes(hex("900302"
                                         "2f61"
                                         "0401020304"))
                   .ok());
}

TEST(Multiaddr, IgnoresTrailingSlashes) {
  EXPECT_EQ(must_parse("/ip4/1.2.3.4/tcp/1/"), must_parse("/ip4/1.2.3.4/tcp/1"));
  EXPECT_EQ(must_parse("/tls//"), must_parse("/tls"));
}

TEST(Multiaddr, RejectsBadText) {
  for (const char* text : {
           "",
           "/",
           "ip4/1.2.3.4",
           "//ip4/1.2.3.4",
           "/ip4",
           "/ip4/",
           "/ip4/256.0.0.1",
           "/ip4/1.2.3",
           "/ip4/1.2.3.4.5",
           "/ip4/01.2.3.4",
           "/ip4/1.2.3.-4",
           "/ip4/1..3.4",
           "/ip4/ 1.2.3.4",
           "/ip6/::1::2",
           "/ip6/1.2.3.4",
           "/ip6/fe80::1%eth0",
           "/tcp/65536",
           "/tcp/-1",
           "/tcp/0x10",
           "/tcp/",
           "/tcp/123456",
           "/foo/1",
           "/ip4/1.2.3.4/tcp",
           "/ip4/1.2.3.4//tcp/1",
           "/p2p/notapeerid",
           "/p2p/12D3KooW",
           "/p2p/bafkreifyuia27yiu3dlopop3k3otuoww7qz2s362eu52coycqgvctqiaf4",
           "/dns4//tcp/1",
           "/certhash/xyz",
           "/certhash/uAA",
           "/unix",
           "/ipcidr/256",
           "/tls/1",
           "/TCP/1",
           "/ip4/1.2.3.4/tcp/1/p2p-circuit/x",
       }) {
    auto addr = Multiaddr::parse(text);
    EXPECT_FALSE(addr.ok()) << "accepted '" << text << "' as " << addr->to_string();
  }
  EXPECT_FALSE(Multiaddr::parse("/dns/" + std::string(300, 'a')).ok());
  std::string many;
  for (int i = 0; i < 100; ++i) many += "/tls";
  EXPECT_FALSE(Multiaddr::parse(many).ok());
}

TEST(Multiaddr, RejectsBadBinary) {
  EXPECT_FALSE(Multiaddr::from_bytes({}).ok());
  EXPECT_FALSE(Multiaddr::from_bytes(hex("04")).ok());            // ip4 without value
  EXPECT_FALSE(Multiaddr::from_bytes(hex("04010203")).ok());      // ip4 truncated
  EXPECT_FALSE(Multiaddr::from_bytes(hex("040102030406")).ok());  // tcp without value
  EXPECT_FALSE(Multiaddr::from_bytes(hex("06ff")).ok());          // tcp truncated
  EXPECT_FALSE(Multiaddr::from_bytes(hex("ff")).ok());            // truncated varint
  EXPECT_FALSE(Multiaddr::from_bytes(hex("8000")).ok());          // non-minimal varint
  EXPECT_FALSE(Multiaddr::from_bytes(hex("07")).ok());            // unknown code
  EXPECT_FALSE(Multiaddr::from_bytes(hex("ffffffffffffffff7f")).ok());
  EXPECT_FALSE(Multiaddr::from_bytes(hex("3505616263")).ok());              // dns length past end
  EXPECT_FALSE(Multiaddr::from_bytes(hex("3500")).ok());                    // empty dns name
  EXPECT_FALSE(Multiaddr::from_bytes(hex("3503612f62")).ok());              // '/' in dns name
  EXPECT_FALSE(Multiaddr::from_bytes(hex("3503610062")).ok());              // NUL in dns name
  EXPECT_FALSE(Multiaddr::from_bytes(hex("a5030412200102")).ok());          // bad p2p multihash
  EXPECT_FALSE(Multiaddr::from_bytes(hex("a50300")).ok());                  // empty p2p
  EXPECT_FALSE(Multiaddr::from_bytes(hex("d20302ffff")).ok());              // bad certhash
  EXPECT_FALSE(Multiaddr::from_bytes(hex("a503ffffffffffffffff7f")).ok());  // huge length
  EXPECT_EQ(Multiaddr::from_bytes(hex("04010203")).error().code, util::Errc::kTruncated);
  EXPECT_EQ(Multiaddr::from_bytes(hex("07")).error().code, util::Errc::kUnsupported);
}

TEST(Multiaddr, FromComponentValidates) {
  auto tcp = Multiaddr::from_component(code::kTcp, util::Bytes{0x0f, 0xa1});
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->to_string(), "/tcp/4001");
  EXPECT_FALSE(Multiaddr::from_component(code::kTcp, util::Bytes{1}).ok());
  EXPECT_FALSE(Multiaddr::from_component(code::kDns, {}).ok());
  EXPECT_FALSE(Multiaddr::from_component(7, {}).ok());
  auto circuit = Multiaddr::from_component(code::kP2pCircuit, {});
  ASSERT_TRUE(circuit.ok());
  EXPECT_EQ(circuit->to_string(), "/p2p-circuit");
}

TEST(Multiaddr, PeerIdHelpers) {
  const std::string relay = "12D3KooWQCkBm1BYtkHpocxCwMgR8yjitEeHGx8spzcDLGt2gkBm";
  const std::string target = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
  const Multiaddr circuit =
      must_parse("/ip4/1.2.3.4/tcp/4001/p2p/" + relay + "/p2p-circuit/p2p/" + target);
  ASSERT_TRUE(circuit.peer_id().has_value());
  EXPECT_EQ(circuit.peer_id()->to_base58(), target);
  EXPECT_EQ(circuit.without_peer_id().to_string(),
            "/ip4/1.2.3.4/tcp/4001/p2p/" + relay + "/p2p-circuit");
  EXPECT_FALSE(circuit.without_peer_id().peer_id().has_value());

  const Multiaddr plain = must_parse("/ip4/1.2.3.4/tcp/4001");
  EXPECT_FALSE(plain.peer_id().has_value());
  EXPECT_EQ(plain.without_peer_id(), plain);
  auto id = crypto::PeerId::parse(relay);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(plain.with_peer_id(*id).to_string(), "/ip4/1.2.3.4/tcp/4001/p2p/" + relay);
  EXPECT_EQ(plain.with_peer_id(*id).with_peer_id(*id), plain.with_peer_id(*id));
  EXPECT_EQ(Multiaddr::from_peer_id(*id).to_string(), "/p2p/" + relay);
}

TEST(Multiaddr, EncapsulatesAndDecapsulates) {
  const Multiaddr base = must_parse("/ip4/1.2.3.4/tcp/443");
  const Multiaddr ws = must_parse("/tls/ws");
  const Multiaddr full = base.encapsulate(ws);
  EXPECT_EQ(full.to_string(), "/ip4/1.2.3.4/tcp/443/tls/ws");
  EXPECT_EQ(full.decapsulate(ws), base);
  EXPECT_EQ(full.decapsulate(must_parse("/tcp/443")).to_string(), "/ip4/1.2.3.4");
  EXPECT_EQ(full.decapsulate(must_parse("/tcp/444")), full);  // not present
  EXPECT_EQ(full.decapsulate(Multiaddr()), full);
  EXPECT_EQ(full.decapsulate(full), Multiaddr());
  EXPECT_EQ(full.decapsulate_code(code::kTcp).to_string(), "/ip4/1.2.3.4");
  EXPECT_EQ(full.decapsulate_code(code::kUdp), full);
  // The last occurrence is removed.
  const Multiaddr twice = must_parse("/tls/ws/tls/ws");
  EXPECT_EQ(twice.decapsulate(ws).to_string(), "/tls/ws");
  EXPECT_EQ(Multiaddr().encapsulate(base), base);
}

TEST(Multiaddr, ExtractsTcpEndpoints) {
  auto v4 =
      must_parse("/ip4/192.168.1.2/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")
          .tcp_endpoint();
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(*v4, (TcpEndpoint{"192.168.1.2", 4001, false}));
  auto v6 = must_parse("/ip6/2001:db8::1/tcp/65535").tcp_endpoint();
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(*v6, (TcpEndpoint{"2001:db8::1", 65535, true}));
  EXPECT_FALSE(must_parse("/ip4/1.2.3.4/udp/1/quic-v1").tcp_endpoint().has_value());
  EXPECT_FALSE(must_parse("/dns4/example.com/tcp/1").tcp_endpoint().has_value());
  EXPECT_FALSE(must_parse("/ip4/1.2.3.4").tcp_endpoint().has_value());
  EXPECT_FALSE(Multiaddr().tcp_endpoint().has_value());

  auto built = Multiaddr::from_tcp("10.0.0.1", 80);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->to_string(), "/ip4/10.0.0.1/tcp/80");
  auto built6 = Multiaddr::from_tcp("::1", 0);
  ASSERT_TRUE(built6.ok());
  EXPECT_EQ(built6->to_string(), "/ip6/::1/tcp/0");
  EXPECT_FALSE(Multiaddr::from_tcp("localhost", 1).ok());
}

TEST(Multiaddr, ClassifiesAddresses) {
  struct Case {
    const char* text;
    bool loopback, is_private, is_public;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"/ip4/127.0.0.1/tcp/1", true, false, false},
           {"/ip4/127.255.0.9", true, false, false},
           {"/ip4/10.1.2.3", false, true, false},
           {"/ip4/172.16.0.1", false, true, false},
           {"/ip4/172.31.255.255", false, true, false},
           {"/ip4/172.32.0.1", false, false, true},
           {"/ip4/192.168.0.1", false, true, false},
           {"/ip4/100.64.0.1", false, true, false},
           {"/ip4/169.254.1.1", false, true, false},
           {"/ip4/8.8.8.8/udp/53", false, false, true},
           {"/ip4/1.2.3.4", false, false, true},
           {"/ip4/0.0.0.0/tcp/0", false, false, false},
           {"/ip4/224.0.0.251/udp/5353", false, false, false},
           {"/ip4/255.255.255.255", false, false, false},
           {"/ip4/192.0.2.1", false, false, false},
           {"/ip4/203.0.113.7", false, false, false},
           {"/ip6/::1/tcp/1", true, false, false},
           {"/ip6/::", false, false, false},
           {"/ip6/fe80::1", false, true, false},
           {"/ip6zone/eth0/ip6/fe80::1/tcp/1", false, true, false},
           {"/ip6/fd00::1", false, true, false},
           {"/ip6/2606:4700::1111", false, false, true},
           {"/ip6/2001:db8::1", false, false, false},
           {"/ip6/ff02::fb", false, false, false},
           {"/ip6/::ffff:127.0.0.1", true, false, false},
           {"/ip6/::ffff:192.168.1.1", false, true, false},
           {"/ip6/::ffff:8.8.4.4", false, false, true},
           {"/ip6/64:ff9b::8.8.8.8", false, false, true},
           {"/ip6/64:ff9b::10.0.0.1", false, true, false},
           {"/dns4/localhost/tcp/1", true, false, false},
           {"/dns/foo.localhost", true, false, false},
           {"/dns/printer.local", false, true, false},
           {"/dns4/bootstrap.libp2p.io/tcp/443", false, false, true},
           {"/dnsaddr/Bootstrap.LIBP2P.io.", false, false, true},
           {"/dns/site.test", false, false, false},
           {"/unix/tmp/x", false, false, false},
           {"/p2p-circuit", false, false, false},
       }) {
    const Multiaddr addr = must_parse(c.text);
    EXPECT_EQ(addr.is_loopback(), c.loopback) << c.text;
    EXPECT_EQ(addr.is_private(), c.is_private) << c.text;
    EXPECT_EQ(addr.is_public(), c.is_public) << c.text;
  }
  EXPECT_TRUE(must_parse("/ip4/0.0.0.0/tcp/0").is_unspecified());
  EXPECT_TRUE(must_parse("/ip6/::/tcp/0").is_unspecified());
  EXPECT_FALSE(must_parse("/ip6/::1/tcp/0").is_unspecified());
  EXPECT_FALSE(Multiaddr().is_public());
}

TEST(IpAddress, ParsesAndPrints) {
  EXPECT_EQ(*ip_from_string("1.2.3.4"), (util::Bytes{1, 2, 3, 4}));
  EXPECT_EQ(ip_from_string("::1")->size(), 16u);
  EXPECT_FALSE(ip_from_string("1.2.3.4.5").ok());
  EXPECT_FALSE(ip_from_string("").ok());
  EXPECT_FALSE(ip_from_string("example.com").ok());
  EXPECT_EQ(ip_to_string(util::Bytes{10, 0, 0, 1}), "10.0.0.1");
  EXPECT_EQ(ip_to_string(*ip_from_string("2001:0db8:0000:0000:0000:0000:0000:0001")),
            "2001:db8::1");
  EXPECT_EQ(ip_to_string(util::Bytes{1, 2, 3}), "");
  EXPECT_FALSE(ip_is_public(util::Bytes{1, 2, 3}));
}

TEST(Multiaddr, ProtocolTable) {
  const auto* quic = find_multiaddr_protocol("quic-v1");
  ASSERT_NE(quic, nullptr);
  EXPECT_EQ(quic->code, 461u);
  EXPECT_EQ(quic->size, 0);
  EXPECT_EQ(find_multiaddr_protocol(uint32_t{421})->name, "p2p");
  EXPECT_EQ(find_multiaddr_protocol("ipfs")->code, 421u);
  EXPECT_EQ(find_multiaddr_protocol("webrtc-direct")->code, 280u);
  EXPECT_EQ(find_multiaddr_protocol("webrtc")->code, 281u);
  EXPECT_EQ(find_multiaddr_protocol("dns")->size, MultiaddrProtocol::kVariableSize);
  EXPECT_EQ(find_multiaddr_protocol("nope"), nullptr);
  EXPECT_EQ(find_multiaddr_protocol(uint32_t{9999}), nullptr);
}

TEST(Multiaddr, OrdersAndHashesForContainers) {
  const Multiaddr a = must_parse("/ip4/1.2.3.4/tcp/1");
  const Multiaddr b = must_parse("/ip4/1.2.3.4/tcp/2");
  std::set<Multiaddr> ordered{a, b, a};
  std::unordered_set<Multiaddr> hashed{a, b, a};
  EXPECT_EQ(ordered.size(), 2u);
  EXPECT_EQ(hashed.size(), 2u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace edgevpn::p2p
