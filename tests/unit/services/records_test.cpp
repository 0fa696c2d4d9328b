// Ledger values of services and files in Go's JSON shape, host:port parsing, our stream header.
#include "services/records.hpp"

#include <gtest/gtest.h>

#include "services/service_protocol.hpp"
#include "util/varint.hpp"

namespace edgevpn::services {
namespace {

TEST(RecordsTest, EncodesServiceInGoFieldOrder) {
  EXPECT_EQ(encode_service({"12D3KooWA", "web"}), R"({"PeerID":"12D3KooWA","Name":"web"})");
}

TEST(RecordsTest, DecodesGoServiceEntriesAndRejectsGarbage) {
  auto record = decode_service(R"({"Name":"ssh","PeerID":"12D3KooWB","Extra":1})");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->peer_id, "12D3KooWB");
  EXPECT_EQ(record->name, "ssh");
  EXPECT_FALSE(decode_service("\"a string\"").ok());
  EXPECT_FALSE(decode_service("{not json").ok());
  EXPECT_FALSE(decode_service(R"({"Name":"x"})").ok());
}

TEST(RecordsTest, FileEntryCarriesOurDigestFieldsAfterGoOnes) {
  FileRecord record{"12D3KooWA", "f", 42, "ab"};
  EXPECT_EQ(encode_file(record), R"({"PeerID":"12D3KooWA","Name":"f","Size":42,"SHA256":"ab"})");
  auto go = decode_file(R"({"PeerID":"12D3KooWA","Name":"f"})");
  ASSERT_TRUE(go.ok());
  EXPECT_FALSE(go->size.has_value());
  EXPECT_TRUE(go->sha256.empty());
  auto ours = decode_file(encode_file(record));
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(ours->size, 42u);
  EXPECT_EQ(ours->sha256, "ab");
}

TEST(RecordsTest, UserEntryHasPeerIdAndGoTimestamp) {
  const std::string user = encode_user("12D3KooWA");
  EXPECT_EQ(user.rfind(R"({"PeerID":"12D3KooWA","Timestamp":")", 0), 0u) << user;
  EXPECT_NE(user.find(" +0000 UTC\"}"), std::string::npos) << user;
}

TEST(RecordsTest, ParsesHostPortForms) {
  auto plain = parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 8080);
  auto any = parse_host_port(":9090");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "");
  auto v6 = parse_host_port("[::1]:22");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->to_string(), "[::1]:22");
  EXPECT_FALSE(parse_host_port("localhost").ok());
  EXPECT_FALSE(parse_host_port("::1:22").ok());
  EXPECT_FALSE(parse_host_port("host:99999").ok());
  EXPECT_FALSE(parse_host_port("host:").ok());
  EXPECT_FALSE(parse_host_port("host:8a").ok());
}

TEST(ServiceProtocolTest, HeaderIsVarintLengthThenName) {
  auto header = encode_service_header("web");
  ASSERT_EQ(header.size(), 4u);
  EXPECT_EQ(header[0], 3);
  EXPECT_EQ(std::string(header.begin() + 1, header.end()), "web");
  const std::string long_name(300, 'x');
  auto long_header = encode_service_header(long_name);
  auto varint = util::read_uvarint(long_header);
  ASSERT_TRUE(varint.ok());
  EXPECT_EQ(varint->value, 300u);
  EXPECT_EQ(long_header.size(), varint->length + 300);
}

TEST(ServiceProtocolTest, StatusBytesRoundTripAndUnknownOnesAreRefused) {
  EXPECT_EQ(parse_status(0), ServiceStatus::kOk);
  EXPECT_EQ(parse_status(2), ServiceStatus::kTargetUnreachable);
  EXPECT_FALSE(parse_status(7).has_value());
}

}  // namespace
}  // namespace edgevpn::services
