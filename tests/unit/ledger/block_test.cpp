// Blocks: spec 16 hash and wire vectors, Go-compatible decoding, genesis and gzip framing.
#include "ledger/block.hpp"

#include <gtest/gtest.h>

#include "entry_builder.hpp"

#include <chrono>

namespace edgevpn::ledger {
namespace {


constexpr const char* kMachineJson =
    R"({"PeerID":"12D3KooWA","Hostname":"h","OS":"linux","Arch":"amd64","Address":"10.1.0.1","Version":""})";

constexpr const char* kExampleWire =
    R"({"Index":1,"Timestamp":"2023-11-14 22:13:21.123456789 +0000 UTC","Storage":{"healthcheck":{"12D3KooWA":"\"2023-11-14T22:13:21Z\""},"machines":{"10.1.0.1":"{\"PeerID\":\"12D3KooWA\",\"Hostname\":\"h\",\"OS\":\"linux\",\"Arch\":\"amd64\",\"Address\":\"10.1.0.1\",\"Version\":\"\"}"}},"Hash":"831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7","PrevHash":"993c923422cd134b6aad0235ebfd4290a7b27b83d1bcd6b1fb2addc4b45b2fa6"})";

Block example_block() {
  Block block;
  block.index = 1;
  block.timestamp = "2023-11-14 22:13:21.123456789 +0000 UTC";
  block.storage["healthcheck"]["12D3KooWA"] = make_entry(R"("2023-11-14T22:13:21Z")");
  block.storage["machines"]["10.1.0.1"] = make_entry(kMachineJson);
  block.prev_hash = std::string(kZeroBlockHash);
  return block;
}

util::WallTime at_unix_nanos(int64_t nanos) {
  return util::WallTime(
      std::chrono::duration_cast<util::WallTime::duration>(std::chrono::nanoseconds(nanos)));
}

TEST(BlockHash, ZeroBlockHashesToSpecVector) {
  EXPECT_EQ(hash_input(Block{}), "0map[]");
  EXPECT_EQ(block_checksum(Block{}), kZeroBlockHash);
  EXPECT_EQ(block_checksum(Block{}, HashForm::kLegacy), kZeroBlockHash);
}

TEST(BlockHash, ExampleBlockPrintsEntriesAsGoStructs) {
  EXPECT_EQ(hash_input(example_block()),
            std::string("12023-11-14 22:13:21.123456789 +0000 UTC") +
                R"(map[healthcheck:map[12D3KooWA:{"2023-11-14T22:13:21Z"  0 0 false []}] )" +
                "machines:map[10.1.0.1:{" + kMachineJson + "  0 0 false []}]]" +
                std::string(kZeroBlockHash));
  EXPECT_EQ(block_checksum(example_block()),
            "831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7");
}

TEST(BlockHash, ExampleBlockLegacyFormMatchesGivenPrefixAndSuffix) {
  std::string legacy = block_checksum(example_block(), HashForm::kLegacy);
  EXPECT_EQ(legacy.substr(0, 8), "3f4c7fe3");
  EXPECT_EQ(legacy.substr(legacy.size() - 5), "0ecde");
  EXPECT_NE(hash_input(example_block(), HashForm::kLegacy)
                .find(R"(map[healthcheck:map[12D3KooWA:"2023-11-14T22:13:21Z"] )"),
            std::string::npos);
}

TEST(BlockHash, SignaturePrintsAsDecimalByteList) {
  Block block;
  block.storage["b"]["k"] = make_entry("1", "o", 2, 3, true, util::Bytes{1, 255});
  EXPECT_EQ(hash_input(block), "0map[b:map[k:{1 o 2 3 true [1 255]}]]");
}

TEST(BlockCodec, ExampleBlockEncodesToSpecWireJson) {
  Block block = example_block();
  block.hash = block_checksum(block);
  EXPECT_EQ(encode_block(block), kExampleWire);
}

TEST(BlockCodec, GoWireJsonDecodesAndReencodesIdentically) {
  auto block = decode_block(kExampleWire);
  ASSERT_TRUE(block.ok()) << block.error().describe();
  EXPECT_EQ(block->index, 1);
  EXPECT_EQ(block->storage.at("machines").at("10.1.0.1").value, kMachineJson);
  EXPECT_EQ(encode_block(*block), kExampleWire);
  EXPECT_EQ(block_checksum(*block), block->hash);
}

TEST(BlockCodec, SignedEntriesRoundTrip) {
  Block block = example_block();
  block.storage["users"]["p"] = make_entry("{}", "12D3KooWB", 1700000001000000000ull, 1700000001,
                                           false, util::Bytes{1, 2, 3});
  block.hash = block_checksum(block);
  auto decoded = decode_block(encode_block(block));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, block);
}

TEST(BlockCodec, DecodesLikeGoUnmarshal) {
  auto block = decode_block(R"({"index":3,"HASH":"h","Storage":null,"Timestamp":null,"X":1})");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->index, 3);
  EXPECT_EQ(block->hash, "h");
  EXPECT_TRUE(block->storage.empty());
  EXPECT_TRUE(decode_block("null").ok());
}

TEST(BlockCodec, RejectsMalformedBlocks) {
  EXPECT_FALSE(decode_block("").ok());
  EXPECT_FALSE(decode_block("[]").ok());
  EXPECT_FALSE(decode_block(R"({"Index":"1"})").ok());
  EXPECT_FALSE(decode_block(R"({"Index":1.5})").ok());
  EXPECT_FALSE(decode_block(R"({"Storage":{"b":[]}})").ok());
  EXPECT_FALSE(decode_block(R"({"Storage":{"b":{"k":5}}})").ok());
  EXPECT_FALSE(decode_block(R"({"Hash":5})").ok());
}

TEST(BlockTime, FormatsLikeGoTimeString) {
  EXPECT_EQ(go_time_string_utc(at_unix_nanos(1700000001123456789)),
            "2023-11-14 22:13:21.123456789 +0000 UTC");
  EXPECT_EQ(go_time_string_utc(at_unix_nanos(1700000001120000000)),
            "2023-11-14 22:13:21.12 +0000 UTC");
  EXPECT_EQ(go_time_string_utc(at_unix_nanos(1700000001000000000)),
            "2023-11-14 22:13:21 +0000 UTC");
}

TEST(Genesis, HasZeroBlockHashAndIndexZero) {
  Block genesis = genesis_block(at_unix_nanos(1700000000000000000));
  EXPECT_EQ(genesis.index, 0);
  EXPECT_EQ(genesis.hash, kZeroBlockHash);
  EXPECT_EQ(genesis.prev_hash, "");
  EXPECT_TRUE(genesis.storage.empty());
  EXPECT_EQ(encode_block(genesis),
            std::string(
                R"({"Index":0,"Timestamp":"2023-11-14 22:13:20 +0000 UTC","Storage":{},"Hash":")") +
                std::string(kZeroBlockHash) + R"(","PrevHash":""})");
}

TEST(Genesis, NextBlockChainsAndRehashes) {
  Block genesis = genesis_block(at_unix_nanos(0));
  Block next = next_block(genesis, example_block().storage, at_unix_nanos(1700000001123456789));
  EXPECT_EQ(next.index, 1);
  EXPECT_EQ(next.prev_hash, kZeroBlockHash);
  EXPECT_EQ(next.hash, "831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7");
}

TEST(Gzip, RoundTripsAndUsesGoHeader) {
  std::string text(10000, 'a');
  auto compressed = gzip_compress(text);
  ASSERT_GE(compressed.size(), 18u);
  EXPECT_EQ(compressed[0], 0x1f);
  EXPECT_EQ(compressed[1], 0x8b);
  EXPECT_EQ(compressed[9], 0xff);
  auto back = gzip_decompress(compressed, 1 << 20);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, text);
  auto empty = gzip_decompress(gzip_compress(""), 10);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(Gzip, AcceptsConcatenatedMembers) {
  auto first = gzip_compress("hello ");
  auto second = gzip_compress("world");
  first.insert(first.end(), second.begin(), second.end());
  auto back = gzip_decompress(first, 100);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "hello world");
}

TEST(Gzip, StopsZipBombsAtTheCap) {
  auto bomb = gzip_compress(std::string(10 << 20, '\0'));
  auto result = gzip_decompress(bomb, 1 << 20);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kTooLarge);
}

TEST(Gzip, RejectsTruncatedAndGarbageInput) {
  auto compressed = gzip_compress("some ledger text");
  EXPECT_FALSE(gzip_decompress(util::ByteView(compressed).first(compressed.size() - 3), 100).ok());
  EXPECT_FALSE(gzip_decompress(util::to_bytes("not gzip"), 100).ok());
  EXPECT_FALSE(gzip_decompress({}, 100).ok());
  auto trailing = compressed;
  trailing.push_back('x');
  EXPECT_FALSE(gzip_decompress(trailing, 100).ok());
}

TEST(BlockPayload, RoundTripsThroughGzip) {
  auto block = decode_block(kExampleWire);
  ASSERT_TRUE(block.ok());
  auto decoded = decode_block_payload(encode_block_payload(*block), 1 << 20);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, *block);
}

}  // namespace
}  // namespace edgevpn::ledger
