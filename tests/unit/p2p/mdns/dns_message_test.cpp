// Tests for the DNS wire codec: known bytes, round trips, compression and hostile packets.
#include "p2p/mdns/dns_message.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::mdns {
namespace {

DnsMessage sample_response() {
  DnsMessage message;
  message.flags = kFlagResponse | kFlagAuthoritative;
  ResourceRecord ptr;
  ptr.name = "_p2p._udp.local";
  ptr.type = record_type::kPtr;
  ptr.ttl = 120;
  ptr.ptr = "abc123._p2p._udp.local";
  message.answers.push_back(ptr);
  ResourceRecord srv;
  srv.name = "abc123._p2p._udp.local";
  srv.type = record_type::kSrv;
  srv.cache_flush = true;
  srv.ttl = 120;
  srv.srv = SrvData{0, 0, 4001, "abc123.local"};
  message.additionals.push_back(srv);
  ResourceRecord txt;
  txt.name = "abc123._p2p._udp.local";
  txt.type = record_type::kTxt;
  txt.ttl = 120;
  txt.txt = {"dnsaddr=/ip4/192.168.1.2/tcp/4001/p2p/QmX", ""};
  message.additionals.push_back(txt);
  ResourceRecord a;
  a.name = "abc123.local";
  a.type = record_type::kA;
  a.ttl = 120;
  a.address = {192, 168, 1, 2};
  message.additionals.push_back(a);
  ResourceRecord aaaa = a;
  aaaa.type = record_type::kAaaa;
  aaaa.address = util::Bytes(16, 0);
  aaaa.address[0] = 0xfe;
  aaaa.address[1] = 0x80;
  aaaa.address[15] = 1;
  message.additionals.push_back(aaaa);
  ResourceRecord other;
  other.name = "x.local";
  other.type = 47;  // NSEC: kept raw
  other.raw = {1, 2, 3};
  message.authorities.push_back(other);
  return message;
}

TEST(DnsMessage, EncodesAPtrQuestionAsRfc1035Bytes) {
  DnsMessage query;
  query.questions.push_back(Question{"_p2p._udp.local", record_type::kPtr, kClassIn, false});
  auto wire = encode(query);
  ASSERT_TRUE(wire.ok());
  const util::Bytes expected{
      0,   0,   0,   0,   0,   1, 0,   0,   0,   0,   0, 0,  // header: one question
      4,   '_', 'p', '2', 'p', 4, '_', 'u', 'd', 'p', 5, 'l',
      'o', 'c', 'a', 'l', 0,   0, 12,  0,   1};  // PTR, IN
  EXPECT_EQ(*wire, expected);
}

TEST(DnsMessage, UnicastResponseBitIsTheTopBitOfTheQuestionClass) {
  DnsMessage query;
  query.questions.push_back(Question{"a.local", record_type::kPtr, kClassIn, true});
  auto wire = encode(query);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ((*wire)[wire->size() - 2], 0x80);
  auto decoded = decode(*wire);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->questions[0].unicast_response);
  EXPECT_EQ(decoded->questions[0].klass, kClassIn);
}

TEST(DnsMessage, RoundTripsEveryRecordKind) {
  const DnsMessage message = sample_response();
  auto wire = encode(message);
  ASSERT_TRUE(wire.ok()) << wire.error().describe();
  auto decoded = decode(*wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(*decoded, message);
}

TEST(DnsMessage, CompressesRepeatedNameSuffixes) {
  auto wire = encode(sample_response());
  ASSERT_TRUE(wire.ok());
  // "_p2p._udp.local" is written once; later names point at it.
  const std::string text(wire->begin(), wire->end());
  EXPECT_EQ(text.find("_udp"), text.rfind("_udp"));
  EXPECT_NE(std::find(wire->begin(), wire->end(), 0xc0), wire->end());
}

TEST(DnsMessage, EscapesDotsInsideLabels) {
  DnsMessage query;
  query.questions.push_back(
      Question{"my\\.printer._ipp._tcp.local", record_type::kPtr, kClassIn, false});
  auto wire = encode(query);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ((*wire)[12], 10);  // "my.printer" is one label
  auto decoded = decode(*wire);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->questions[0].name, "my\\.printer._ipp._tcp.local");
}

util::Bytes header(uint16_t questions, uint16_t answers = 0) {
  util::Bytes out{0, 0, 0x84, 0};
  util::put_u16_be(out, questions);
  util::put_u16_be(out, answers);
  util::put_u16_be(out, 0);
  util::put_u16_be(out, 0);
  return out;
}

TEST(DnsMessage, RejectsACompressionPointerToItself) {
  util::Bytes packet = header(1);
  util::append(packet, util::Bytes{0xc0, 12, 0, 12, 0, 1});
  auto decoded = decode(packet);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kMalformed);
}

TEST(DnsMessage, RejectsCompressionPointerLoops) {
  // Name at 12: "a" then a pointer to 17; at 17: "b" then a pointer back to 12.
  util::Bytes packet = header(2);
  util::append(packet, util::Bytes{1, 'a', 0xc0, 17, 0});  // offsets 12..16 (0 pads)
  util::append(packet, util::Bytes{1, 'b', 0xc0, 12});     // offsets 17..20
  util::append(packet, util::Bytes{0, 12, 0, 1});
  auto decoded = decode(packet);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, util::Errc::kMalformed);
}

TEST(DnsMessage, FollowsBackwardPointers) {
  util::Bytes packet = header(2);
  util::append(packet, util::Bytes{5, 'l', 'o', 'c', 'a', 'l', 0, 0, 12, 0, 1});  // "local" at 12
  util::append(packet, util::Bytes{3, 'a', 'b', 'c', 0xc0, 12, 0, 12, 0, 1});
  auto decoded = decode(packet);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->questions[1].name, "abc.local");
}

TEST(DnsMessage, RejectsNamesLongerThan255Bytes) {
  util::Bytes packet = header(1);
  for (int i = 0; i < 5; ++i) {
    packet.push_back(63);
    packet.insert(packet.end(), 63, 'x');
  }
  util::append(packet, util::Bytes{0, 0, 12, 0, 1});
  EXPECT_EQ(decode(packet).error().code, util::Errc::kMalformed);

  DnsMessage query;
  query.questions.push_back(
      Question{std::string(64, 'x') + ".local", record_type::kPtr, kClassIn, false});
  EXPECT_FALSE(encode(query).ok());
}

TEST(DnsMessage, EveryTruncationIsAnErrorNotACrash) {
  auto wire = encode(sample_response());
  ASSERT_TRUE(wire.ok());
  for (size_t cut = 0; cut < wire->size(); ++cut) {
    EXPECT_FALSE(decode(util::ByteView(*wire).first(cut)).ok()) << cut;
  }
}

TEST(DnsMessage, RejectsBadAddressLengthsAndOverrunningTxt) {
  util::Bytes packet = header(0, 1);
  util::append(packet, util::Bytes{0, 0, 1, 0, 1, 0, 0, 0, 120, 0, 3, 1, 2, 3});  // A with 3 bytes
  EXPECT_EQ(decode(packet).error().code, util::Errc::kMalformed);
  util::Bytes txt = header(0, 1);
  util::append(txt, util::Bytes{0, 0, 16, 0, 1, 0, 0, 0, 120, 0, 2, 5, 'a'});  // string says 5
  EXPECT_EQ(decode(txt).error().code, util::Errc::kMalformed);
}

TEST(DnsNames, CompareCaseInsensitivelyAndMatchWholeLabels) {
  EXPECT_TRUE(names_equal("ABC.Local", "abc.local"));
  EXPECT_TRUE(name_has_suffix("inst.svc.local", "svc.local"));
  EXPECT_TRUE(name_has_suffix("svc.local", "SVC.local"));
  EXPECT_FALSE(name_has_suffix("instsvc.local", "svc.local"));
}

}  // namespace
}  // namespace edgevpn::p2p::mdns
