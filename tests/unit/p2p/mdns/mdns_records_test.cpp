// Tests for libp2p mDNS records: query and response shape, round trip to discovered peers.
#include "p2p/mdns/mdns_records.hpp"

#include <gtest/gtest.h>

#include <random>

#include "crypto/hash.hpp"

namespace edgevpn::p2p::mdns {
namespace {

crypto::PeerId make_peer_id(int n) {
  const auto digest = crypto::sha256(util::as_bytes("mdns-peer-" + std::to_string(n)));
  util::Bytes multihash{0x12, 0x20};
  multihash.insert(multihash.end(), digest.begin(), digest.end());
  return crypto::PeerId::from_bytes(multihash).value();
}

Multiaddr addr(std::string_view text) {
  return Multiaddr::parse(text).value();
}

RandomUniform seeded(uint32_t seed) {
  auto rng = std::make_shared<std::mt19937>(seed);
  return [rng](uint32_t bound) { return static_cast<uint32_t>((*rng)() % bound); };
}

LocalService sample_service(int n = 1) {
  LocalService local;
  local.service = "Xk2EdgeVpnMdnsToken";  // EdgeVPN: the token's mdns string, verbatim
  local.instance = random_instance_name(seeded(static_cast<uint32_t>(n)));
  local.peer_id = make_peer_id(n);
  local.addrs = {addr("/ip4/192.168.1.10/tcp/4001"), addr("/ip6/fe80::1/tcp/4001"),
                 addr("/ip4/192.168.1.10/udp/4001/quic-v1"), addr("/ip4/1.2.3.4/tcp/4001/ws"),
                 addr("/ip4/0.0.0.0/tcp/4001")};
  return local;
}

TEST(MdnsRecords, InstanceNamesAre32To63LowercaseAlphanumerics) {
  auto uniform = seeded(7);
  for (int i = 0; i < 200; ++i) {
    const std::string name = random_instance_name(uniform);
    EXPECT_GE(name.size(), 32u);
    EXPECT_LE(name.size(), 63u);
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << name;
  }
}

TEST(MdnsRecords, QueryAsksForThePtrOfTheServiceVerbatim) {
  const DnsMessage query = build_query("Xk2EdgeVpnMdnsToken");
  ASSERT_EQ(query.questions.size(), 1u);
  EXPECT_EQ(query.questions[0].name, "Xk2EdgeVpnMdnsToken.local");
  EXPECT_EQ(query.questions[0].type, record_type::kPtr);
  EXPECT_FALSE(query.is_response());
  EXPECT_EQ(build_query(kDefaultService).questions[0].name, "_p2p._udp.local");
}

TEST(MdnsRecords, ResponseCarriesPtrSrvTxtAndAddresses) {
  const LocalService local = sample_service();
  auto response = build_response(local);
  ASSERT_TRUE(response.ok()) << response.error().describe();
  EXPECT_TRUE(response->is_response());
  ASSERT_EQ(response->answers.size(), 1u);
  const auto& ptr = response->answers[0];
  EXPECT_EQ(ptr.type, record_type::kPtr);
  EXPECT_EQ(ptr.name, "Xk2EdgeVpnMdnsToken.local");
  EXPECT_EQ(ptr.ptr, local.instance + ".Xk2EdgeVpnMdnsToken.local");

  ASSERT_EQ(response->additionals.size(), 4u);
  const auto& srv = response->additionals[0];
  EXPECT_EQ(srv.type, record_type::kSrv);
  EXPECT_EQ(srv.name, ptr.ptr);
  EXPECT_EQ(srv.srv.port, 4001);
  EXPECT_EQ(srv.srv.target, local.instance + ".local");
  const auto& txt = response->additionals[1];
  EXPECT_EQ(txt.type, record_type::kTxt);
  const std::string id = local.peer_id.to_base58();
  EXPECT_EQ(txt.txt,
            (std::vector<std::string>{"dnsaddr=/ip4/192.168.1.10/tcp/4001/p2p/" + id,
                                      "dnsaddr=/ip6/fe80::1/tcp/4001/p2p/" + id,
                                      "dnsaddr=/ip4/192.168.1.10/udp/4001/quic-v1/p2p/" + id}));
  const auto& a = response->additionals[2];
  EXPECT_EQ(a.type, record_type::kA);
  EXPECT_EQ(a.name, srv.srv.target);
  EXPECT_EQ(a.address, (util::Bytes{192, 168, 1, 10}));
  EXPECT_EQ(response->additionals[3].type, record_type::kAaaa);
}

TEST(MdnsRecords, ResponseNeedsAnIpAddress) {
  LocalService local = sample_service();
  local.addrs = {addr("/dns4/host.local/tcp/4001")};
  EXPECT_FALSE(build_response(local).ok());
}

TEST(MdnsRecords, ResponseRoundTripsToTheDiscoveredPeer) {
  const LocalService local = sample_service(1);
  auto wire = encode(build_response(local).value());
  ASSERT_TRUE(wire.ok());
  EXPECT_LE(wire->size(), kMaxPacketSize);
  auto decoded = decode(*wire);
  ASSERT_TRUE(decoded.ok());
  auto peers = parse_response(*decoded, "Xk2EdgeVpnMdnsToken", make_peer_id(2));
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, local.peer_id);
  EXPECT_EQ(peers[0].addrs, (std::vector<Multiaddr>{addr("/ip4/192.168.1.10/tcp/4001"),
                                                    addr("/ip6/fe80::1/tcp/4001"),
                                                    addr("/ip4/192.168.1.10/udp/4001/quic-v1")}));
}

TEST(MdnsRecords, ParsingSkipsOurselvesOtherServicesAndJunk) {
  const LocalService local = sample_service(1);
  DnsMessage response = build_response(local).value();
  EXPECT_TRUE(parse_response(response, local.service, local.peer_id).empty());
  EXPECT_TRUE(parse_response(response, "_p2p._udp", make_peer_id(2)).empty());
  response.additionals[1].txt = {"dnsaddr=not a multiaddr", "other=1",
                                 "dnsaddr=/ip4/10.0.0.1/tcp/1"};  // no /p2p: unusable
  EXPECT_TRUE(parse_response(response, local.service, make_peer_id(2)).empty());
}

TEST(MdnsRecords, AnswersBrowseQueriesForOurServiceOnly) {
  const LocalService local = sample_service();
  auto reply = answer_query(build_query(local.service), local);
  ASSERT_TRUE(reply.has_value());
  EXPECT_FALSE(reply->unicast);
  EXPECT_EQ(reply->message.answers[0].type, record_type::kPtr);
  EXPECT_FALSE(answer_query(build_query("_p2p._udp"), local).has_value());
  EXPECT_FALSE(answer_query(reply->message, local).has_value());  // responses are not queries
}

TEST(MdnsRecords, HonoursUnicastRequestsAndKnownAnswers) {
  const LocalService local = sample_service();
  DnsMessage query = build_query(local.service);
  query.id = 77;
  query.questions[0].unicast_response = true;
  auto reply = answer_query(query, local);
  ASSERT_TRUE(reply.has_value());
  EXPECT_TRUE(reply->unicast);
  EXPECT_EQ(reply->message.id, 77);

  DnsMessage known = build_query(local.service);
  known.answers.push_back(build_response(local).value().answers[0]);
  EXPECT_FALSE(answer_query(known, local).has_value());
  known.answers[0].ttl = local.ttl / 2 - 1;  // nearly expired in their cache: answer again
  EXPECT_TRUE(answer_query(known, local).has_value());
}

TEST(MdnsRecords, AnswersInstanceLookupsWithSrvAndTxt) {
  const LocalService local = sample_service();
  DnsMessage query;
  query.questions.push_back(Question{local.instance_fqdn(), record_type::kSrv, kClassIn, false});
  auto reply = answer_query(query, local);
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->message.answers.size(), 2u);
  EXPECT_EQ(reply->message.answers[0].type, record_type::kSrv);
  EXPECT_EQ(reply->message.answers[1].type, record_type::kTxt);
}

}  // namespace
}  // namespace edgevpn::p2p::mdns
