// Ledger entries: legacy vs signed wire forms, decoding like Go, canonical bytes, signatures.
#include "ledger/entry.hpp"

#include <gtest/gtest.h>

#include "entry_builder.hpp"

#include "crypto/peer_id.hpp"
#include "util/encoding.hpp"

namespace edgevpn::ledger {
namespace {


crypto::PrivateKey test_key(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  return crypto::PrivateKey::ed25519_from_seed(seed);
}

std::string peer_of(const crypto::PrivateKey& key) {
  return crypto::PeerId::from_public_key(key.public_key()).to_base58();
}

TEST(Entry, UnsignedEntryEncodesAsBareJsonString) {
  Entry entry = make_entry(R"("2024-01-01T00:00:00Z")");
  EXPECT_TRUE(entry.is_legacy());
  EXPECT_EQ(encode_entry(entry), R"("\"2024-01-01T00:00:00Z\"")");
}

TEST(Entry, SignedEntryEncodesAsSpecObject) {
  Entry entry = make_entry("{…}", "12D3KooWB", 1700000001000000000ull, 1700000001, false,
                           util::Bytes{1, 2, 3});
  EXPECT_EQ(encode_entry(entry),
            R"({"Value":"{…}","Owner":"12D3KooWB","Version":1700000001000000000,)"
            R"("UpdatedAt":1700000001,"Deleted":false,"Sig":"AQID"})");
}

TEST(Entry, TombstoneEncodesAsSpecObject) {
  Entry entry = make_entry("", "o", 5, 9, true, util::Bytes{0xff});
  EXPECT_EQ(encode_entry(entry),
            R"({"Value":"","Owner":"o","Version":5,"UpdatedAt":9,"Deleted":true,"Sig":"/w=="})");
}

TEST(Entry, NilSignatureOnVersionedEntryEncodesAsNull) {
  Entry entry = make_entry("1", "", 2);
  EXPECT_EQ(encode_entry(entry),
            R"({"Value":"1","Owner":"","Version":2,"UpdatedAt":0,"Deleted":false,"Sig":null})");
}

TEST(Entry, DecodesBothFormsAndRoundTrips) {
  for (
      std::string text :
      {std::string(R"("\"x\"")"),
       std::string(
           R"({"Value":"{…}","Owner":"12D3KooWB","Version":1700000001000000000,"UpdatedAt":1700000001,"Deleted":false,"Sig":"AQID"})"),
       std::string(
           R"({"Value":"","Owner":"o","Version":5,"UpdatedAt":9,"Deleted":true,"Sig":"/w=="})")}) {
    auto entry = parse_entry(text);
    ASSERT_TRUE(entry.ok()) << text;
    EXPECT_EQ(encode_entry(*entry), text);
  }
}

TEST(Entry, DecodeIgnoresUnknownFieldsAndMatchesNamesCaseInsensitively) {
  auto entry = parse_entry(R"( {"value":"v","OWNER":"o","Version":1,"Extra":[1,2]} )");
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->value, "v");
  EXPECT_EQ(entry->owner, "o");
  EXPECT_EQ(entry->version, 1u);
  EXPECT_FALSE(entry->sig.has_value());
}

TEST(Entry, NullDecodesAsEmptyLegacyEntry) {
  auto entry = parse_entry("null");
  ASSERT_TRUE(entry.ok());
  EXPECT_TRUE(entry->is_legacy());
  EXPECT_EQ(entry->value, "");
}

TEST(Entry, RejectsWhatGoRejects) {
  EXPECT_FALSE(parse_entry("12").ok());
  EXPECT_FALSE(parse_entry("[\"a\"]").ok());
  EXPECT_FALSE(parse_entry("true").ok());
  EXPECT_FALSE(parse_entry(R"({"Version":-1})").ok());
  EXPECT_FALSE(parse_entry(R"({"Version":1.5})").ok());
  EXPECT_FALSE(parse_entry(R"({"UpdatedAt":"1"})").ok());
  EXPECT_FALSE(parse_entry(R"({"Deleted":1})").ok());
  EXPECT_FALSE(parse_entry(R"({"Sig":"***"})").ok());
  EXPECT_FALSE(parse_entry(R"({"Value":1})").ok());
  EXPECT_FALSE(parse_entry("{").ok());
}

TEST(Entry, EmptySignatureIsNotLegacy) {
  auto entry = parse_entry(R"({"Value":"v","Sig":""})");
  ASSERT_TRUE(entry.ok());
  EXPECT_FALSE(entry->is_legacy());
  Entry nil_sig = make_entry("v");
  EXPECT_TRUE(same_entry(*entry, nil_sig));  // Go's bytes.Equal(nil, empty)
  EXPECT_NE(*entry, nil_sig);
}

TEST(Entry, CanonicalBytesMatchSpecVector) {
  Entry entry = make_entry(R"("v")", "O", 3, 100);
  EXPECT_EQ(util::hex_encode(canonical_bytes("users", "k", entry)),
            "0000000000000005"
            "7573657273"
            "0000000000000001"
            "6b"
            "0000000000000001"
            "4f"
            "0000000000000003"
            "0000000000000064"
            "00"
            "0000000000000003"
            "227622");
}

TEST(Entry, CanonicalBytesEncodeNegativeUpdatedAtAsTwosComplement) {
  Entry entry = make_entry("", "", 0, -1, true);
  auto bytes = canonical_bytes("", "", entry);
  ASSERT_EQ(bytes.size(), 8u * 3 + 16 + 1 + 8);
  EXPECT_EQ(util::hex_encode(util::ByteView(bytes).subspan(32, 8)), "ffffffffffffffff");
  EXPECT_EQ(bytes[40], 1);
}

TEST(Entry, SignedEntryVerifies) {
  auto key = test_key(1);
  Entry entry = make_entry(R"({"PeerID":"x"})", "", 7, 1700000000);
  sign_entry("machines", "10.1.0.1", entry, key, peer_of(key));
  EXPECT_EQ(entry.owner, peer_of(key));
  ASSERT_TRUE(entry.sig.has_value());
  EXPECT_EQ(entry.sig->size(), 64u);
  EXPECT_TRUE(verify_entry("machines", "10.1.0.1", entry).ok());
}

TEST(Entry, TamperedEntryFailsVerification) {
  auto key = test_key(2);
  Entry entry = make_entry("1", "", 1);
  sign_entry("b", "k", entry, key, peer_of(key));
  Entry changed = entry;
  changed.version = 2;
  EXPECT_FALSE(verify_entry("b", "k", changed).ok());
  EXPECT_FALSE(verify_entry("b", "other", entry).ok());
  Entry wrong_owner = entry;
  wrong_owner.owner = peer_of(test_key(3));
  EXPECT_FALSE(verify_entry("b", "k", wrong_owner).ok());
  Entry garbage = entry;
  garbage.sig = util::to_bytes("garbage");
  EXPECT_FALSE(verify_entry("b", "k", garbage).ok());
  Entry bad_owner = entry;
  bad_owner.owner = "not-a-peer-id";
  EXPECT_FALSE(verify_entry("b", "k", bad_owner).ok());
}

}  // namespace
}  // namespace edgevpn::ledger
