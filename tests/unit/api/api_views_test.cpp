// Pure parts of the API: Go value decoding, DNS type names, Go float formatting, peer sets.
#include "api/api_views.hpp"

#include <gtest/gtest.h>

#include "api/api_records.hpp"
#include "api/dns_types.hpp"
#include "test_backend.hpp"

namespace edgevpn::api {
namespace {

TEST(ApiRecords, DecodesLikeGoUnmarshal) {
  MachineRecord m = decode_machine(
      R"({"peerid":"P","Hostname":"h","OS":3,"Arch":"arm64","Address":"10.1.0.1","Extra":1})");
  EXPECT_EQ(m.peer_id, "P");  // case-insensitive field match
  EXPECT_EQ(m.hostname, "h");
  EXPECT_EQ(m.os, "");  // wrong type: left empty, the others still decode
  EXPECT_EQ(m.arch, "arm64");
  EXPECT_EQ(m.address, "10.1.0.1");
  EXPECT_EQ(decode_machine("[1,2]").peer_id, "");
  EXPECT_EQ(decode_machine("{broken").hostname, "");
  EXPECT_EQ(decode_named(R"({"PeerID":"P","Name":"web"})").name, "web");
  EXPECT_EQ(decode_user(R"({"PeerID":"P","Timestamp":"t"})").timestamp, "t");
}

TEST(ApiRecords, DnsRecordsRoundTripBetweenCodesAndNames) {
  auto names = decode_dns_records(R"({"1":"10.1.0.2","28":"fd00::2","65":"h","999":"x","a":"y",)"
                                  R"("70000":"z","15":5})");
  EXPECT_EQ(names, (std::map<std::string, std::string>{
                       {"A", "10.1.0.2"}, {"AAAA", "fd00::2"}, {"HTTPS", "h"}, {"TYPE999", "x"}}));
  auto encoded = encode_dns_records({{"a", "1.2.3.4"}, {"TXT", "t"}, {"TYPE999", "x"}});
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(*encoded, R"({"1":"1.2.3.4","16":"t","999":"x"})");
  auto unknown = encode_dns_records({{"BOGUS", "v"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("BOGUS"), std::string::npos);
}

TEST(DnsTypes, NamesAndCodesFollowMiekg) {
  EXPECT_EQ(dns_type_name(1), "A");
  EXPECT_EQ(dns_type_name(28), "AAAA");
  EXPECT_EQ(dns_type_name(257), "CAA");
  EXPECT_EQ(dns_type_name(4242), "TYPE4242");
  EXPECT_EQ(dns_type_code("CNAME"), 5);
  EXPECT_EQ(dns_type_code("srv"), 33);
  EXPECT_EQ(dns_type_code("TYPE12"), 12);
  EXPECT_EQ(dns_type_code("TYPE"), std::nullopt);
  EXPECT_EQ(dns_type_code("TYPE70000"), std::nullopt);
  EXPECT_EQ(dns_type_code("TYPE1x"), std::nullopt);
  EXPECT_EQ(dns_type_code(""), std::nullopt);
}

TEST(ApiViews, FormatsFloatsAsGoEncodingJson) {
  EXPECT_EQ(go_format_float(0), "0");
  EXPECT_EQ(go_format_float(1.5), "1.5");
  EXPECT_EQ(go_format_float(100), "100");
  EXPECT_EQ(go_format_float(0.1), "0.1");
  EXPECT_EQ(go_format_float(1e-7), "1e-7");
  EXPECT_EQ(go_format_float(1.25e-10), "1.25e-10");
  EXPECT_EQ(go_format_float(1e21), "1e+21");
  EXPECT_EQ(go_format_float(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(go_format_float(0.000123), "0.000123");
  EXPECT_EQ(go_format_float(-2.5), "-2.5");
  EXPECT_EQ(go_format_float(1e-6), "0.000001");
  EXPECT_EQ(go_format_float(12345.678), "12345.678");
}

TEST(ApiViews, PeerSetMatchesDecodedIdsOnly) {
  std::string a = testing::peer_id(2);
  std::string a_cid = crypto::PeerId::parse(a)->to_cid();
  PeerSet set({a_cid, "garbage"});
  EXPECT_EQ(set.size(), 1u);
  EXPECT_TRUE(set.contains(a));
  EXPECT_FALSE(set.contains(testing::peer_id(3)));
  EXPECT_FALSE(set.contains("garbage"));
  EXPECT_FALSE(set.contains(""));
}

TEST(ApiViews, NodesListsEachPeerOnce) {
  std::string a = testing::peer_id(2), b = testing::peer_id(3);
  EXPECT_EQ(nodes_json({a}, {a, b, b}), R"([{"ID":")" + a + R"(","Online":true},{"ID":")" + b +
                                            R"(","Online":true}])"
                                            "\n");
  EXPECT_EQ(nodes_json({}, {}), "[]\n");
}

TEST(ApiViews, MessagesAreEchoShaped) {
  EXPECT_EQ(message_json("Not Found"), "{\"message\":\"Not Found\"}\n");
  EXPECT_EQ(announcing_json(), "{\"State\":\"Announcing\"}\n");
  EXPECT_EQ(bucket_json(nullptr), "null\n");
  EXPECT_EQ(value_json(nullptr), "\"\"\n");
}

}  // namespace
}  // namespace edgevpn::api
