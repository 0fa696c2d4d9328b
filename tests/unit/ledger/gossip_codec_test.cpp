// Gossip codec: round trip, a Go-format message built by hand from the spec 16 vectors, the
// previous-epoch grace window, foreign keys, and the stage each kind of bad input stops at.
#include "ledger/gossip_codec.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>

#include "ledger/derivations.hpp"
#include "ledger/envelope.hpp"
#include "ledger/rotation.hpp"
#include "ledger/sealer.hpp"

namespace edgevpn::ledger {
namespace {

constexpr size_t kMaxSize = 20 << 20;
constexpr int64_t kVectorTime = 1700000000;
constexpr std::string_view kVectorSealKey = "a89467c668bac45b14921cf589c02fb8";
constexpr crypto::AesGcmNonce kCountingNonce = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

constexpr const char* kExampleWire =
    R"({"Index":1,"Timestamp":"2023-11-14 22:13:21.123456789 +0000 UTC","Storage":{"healthcheck":{"12D3KooWA":"\"2023-11-14T22:13:21Z\""},"machines":{"10.1.0.1":"{\"PeerID\":\"12D3KooWA\",\"Hostname\":\"h\",\"OS\":\"linux\",\"Arch\":\"amd64\",\"Address\":\"10.1.0.1\",\"Version\":\"\"}"}},"Hash":"831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7","PrevHash":"993c923422cd134b6aad0235ebfd4290a7b27b83d1bcd6b1fb2addc4b45b2fa6"})";

OtpSecret test_crypto() {
  OtpSecret crypto;
  crypto.key = "cryptokey";
  crypto.interval = 360;
  crypto.length = 43;
  return crypto;
}

RotationConfig test_rotation() {
  RotationConfig config;
  config.crypto = test_crypto();
  config.room = "roomname";
  config.dht.key = "dhtkey";
  config.dht.interval = 360;
  config.dht.length = 43;
  return config;
}

util::WallTime at(int64_t unix_seconds) {
  return util::WallTime(std::chrono::seconds(unix_seconds));
}

Block sample_block() {
  Block block;
  block.index = 7;
  block.timestamp = "2023-11-14 22:13:21 +0000 UTC";
  block.storage["machines"]["10.1.0.2"].value = R"({"PeerID":"12D3KooWB"})";
  block.storage["healthcheck"]["12D3KooWB"].value = R"("2023-11-14T22:13:21Z")";
  block.prev_hash = "abc";
  block.hash = block_checksum(block);
  return block;
}

// A gzip member written field by field as Go's writer frames it (no name, mtime 0, OS 255), with
// the data in one stored (uncompressed) deflate block.
std::string hand_made_gzip(std::string_view data) {
  std::string out = {'\x1f', '\x8b', '\x08', '\x00', '\x00',
                     '\x00', '\x00', '\x00', '\x00', '\xff'};
  auto put_le16 = [&](uint32_t v) {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
  };
  out.push_back('\x01');  // BFINAL, BTYPE=00 (stored)
  put_le16(static_cast<uint32_t>(data.size()));
  put_le16(static_cast<uint32_t>(~data.size() & 0xffff));
  out.append(data);
  uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  put_le16(crc & 0xffff);
  put_le16(crc >> 16);
  put_le16(static_cast<uint32_t>(data.size()) & 0xffff);
  put_le16(static_cast<uint32_t>(data.size()) >> 16);
  return out;
}

std::string sealed_envelope(std::string_view payload, std::string_view key) {
  Envelope envelope;
  envelope.message = AesSealer::seal(payload, key);
  return encode_envelope(envelope);
}

TEST(GossipCodec, RoundTripsBlock) {
  Block block = sample_block();
  auto data = encode_gossip_block(block, kVectorSealKey, kMaxSize);
  ASSERT_TRUE(data.ok()) << data.error().describe();
  auto decoded =
      decode_gossip_block(*data, SealKeys{std::string(kVectorSealKey), std::nullopt}, kMaxSize);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->block, block);
  EXPECT_FALSE(decoded->previous_key);
}

TEST(GossipCodec, EncodesGoEnvelopeWithNullAnnotations) {
  auto data = encode_gossip_block(sample_block(), kVectorSealKey, kMaxSize);
  ASSERT_TRUE(data.ok());
  std::string_view text = util::as_string_view(*data);
  EXPECT_EQ(text.substr(0, 12), R"({"Message":")");
  EXPECT_NE(text.find(R"(","SenderID":"","Annotations":null})"), std::string_view::npos);
}

TEST(GossipCodec, DecodesGoFormatMessageBuiltByHand) {
  // The seal key Go computes for the test config at t=1700000000.
  ASSERT_EQ(seal_key(test_crypto(), kVectorTime), kVectorSealKey);
  std::string gzip = hand_made_gzip(kExampleWire);
  std::string sealed = AesSealer::seal_with_nonce(gzip, kVectorSealKey, kCountingNonce);
  ASSERT_EQ(sealed.substr(0, 24), "000102030405060708090a0b");
  std::string data = R"({"Message":")" + sealed + R"(","SenderID":"","Annotations":null})";

  auto schedule = TopicSchedule::create(test_rotation());
  ASSERT_TRUE(schedule.ok());
  auto keys = schedule->at(at(kVectorTime)).seal_keys();
  auto decoded = decode_gossip_block(util::as_bytes(data), keys, kMaxSize);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->block.index, 1);
  EXPECT_EQ(decoded->block.hash,
            "831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7");
  EXPECT_EQ(
      decoded->block.storage.at("machines").at("10.1.0.1").value,
      R"({"PeerID":"12D3KooWA","Hostname":"h","OS":"linux","Arch":"amd64","Address":"10.1.0.1","Version":""})");
  EXPECT_EQ(encode_block(decoded->block), kExampleWire);
}

TEST(GossipCodec, AcceptsPreviousEpochKeyOnlyWithinGrace) {
  auto schedule = TopicSchedule::create(test_rotation());
  ASSERT_TRUE(schedule.ok());
  const Epoch old_epoch = schedule->epoch_at(at(kVectorTime));
  auto data = encode_gossip_block(sample_block(), old_epoch.seal_key, kMaxSize);
  ASSERT_TRUE(data.ok());

  auto inside = schedule->at(old_epoch.end + std::chrono::seconds(29));
  ASSERT_NE(inside.current.seal_key, old_epoch.seal_key);
  auto accepted = decode_gossip_block(*data, inside.seal_keys(), kMaxSize);
  ASSERT_TRUE(accepted.ok()) << accepted.error().describe();
  EXPECT_TRUE(accepted->previous_key);

  auto after = schedule->at(old_epoch.end + std::chrono::seconds(30));
  auto refused = decode_gossip_block(*data, after.seal_keys(), kMaxSize);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().stage, GossipStage::kUnseal);
}

TEST(GossipCodec, RefusesMessageFromAnotherToken) {
  OtpSecret other = test_crypto();
  other.key = "another-network";
  auto data = encode_gossip_block(sample_block(), seal_key(other, kVectorTime), kMaxSize);
  ASSERT_TRUE(data.ok());
  SealKeys keys{std::string(kVectorSealKey), seal_key(test_crypto(), kVectorTime - 360)};
  auto decoded = decode_gossip_block(*data, keys, kMaxSize);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().stage, GossipStage::kUnseal);
  EXPECT_EQ(decoded.error().error.code, util::Errc::kCrypto);
}

TEST(GossipCodec, ReportsStageOfEachFailure) {
  SealKeys keys{std::string(kVectorSealKey), std::nullopt};
  auto decode = [&](std::string_view data) {
    return decode_gossip_block(util::as_bytes(data), keys, kMaxSize);
  };
  EXPECT_EQ(decode("not json").error().stage, GossipStage::kEnvelope);
  EXPECT_EQ(decode(R"({"Message":5})").error().stage, GossipStage::kEnvelope);
  EXPECT_EQ(decode(R"({"Message":"zz"})").error().stage, GossipStage::kUnseal);
  EXPECT_EQ(decode(R"({"Message":"00"})").error().stage, GossipStage::kUnseal);
  EXPECT_EQ(decode(sealed_envelope("plain text, not gzip", kVectorSealKey)).error().stage,
            GossipStage::kInflate);
  EXPECT_EQ(decode(sealed_envelope("", kVectorSealKey)).error().stage, GossipStage::kInflate);
  auto not_block = gzip_compress(R"({"Index":"one"})");
  EXPECT_EQ(decode(sealed_envelope(util::as_string_view(not_block), kVectorSealKey)).error().stage,
            GossipStage::kBlock);
}

TEST(GossipCodec, CapsInflatedSizeAtMaxMessageSize) {
  // A small message that inflates far beyond the limit (a gzip bomb) stops at the inflate stage.
  std::string big_json = R"({"Index":1,"Timestamp":")" + std::string(200000, 'a') + R"("})";
  auto bomb = gzip_compress(big_json);
  std::string data = sealed_envelope(util::as_string_view(bomb), kVectorSealKey);
  ASSERT_LT(data.size(), 100000u);
  auto decoded = decode_gossip_block(util::as_bytes(data),
                                     SealKeys{std::string(kVectorSealKey), std::nullopt}, 100000);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().stage, GossipStage::kInflate);
  EXPECT_EQ(decoded.error().error.code, util::Errc::kTooLarge);
}

TEST(GossipCodec, RefusesMessagesOverMaxMessageSize) {
  auto data = encode_gossip_block(sample_block(), kVectorSealKey, 0);
  ASSERT_TRUE(data.ok());
  auto decoded = decode_gossip_block(*data, SealKeys{std::string(kVectorSealKey), std::nullopt},
                                     data->size() - 1);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().stage, GossipStage::kEnvelope);
  EXPECT_EQ(decoded.error().error.code, util::Errc::kTooLarge);

  auto too_big = encode_gossip_block(sample_block(), kVectorSealKey, data->size() - 1);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, util::Errc::kTooLarge);
}

TEST(GossipCodec, CountersTallyOutcomesByStage) {
  SealKeys keys{std::string(kVectorSealKey), std::string("00000000000000000000000000000000")};
  GossipCounters counters;
  auto good = encode_gossip_block(sample_block(), kVectorSealKey, kMaxSize);
  auto old = encode_gossip_block(sample_block(), *keys.previous, kMaxSize);
  counters.count(decode_gossip_block(*good, keys, kMaxSize));
  counters.count(decode_gossip_block(*old, keys, kMaxSize));
  counters.count(decode_gossip_block(util::as_bytes("{"), keys, kMaxSize));
  counters.count(decode_gossip_block(util::as_bytes(R"({"Message":""})"), keys, kMaxSize));
  EXPECT_EQ(counters.accepted, 2u);
  EXPECT_EQ(counters.accepted_previous_key, 1u);
  EXPECT_EQ(counters.bad_envelope, 1u);
  EXPECT_EQ(counters.unseal_failed, 1u);
  EXPECT_EQ(counters.dropped(), 2u);
}

}  // namespace
}  // namespace edgevpn::ledger
