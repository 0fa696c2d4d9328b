// --ledger-state persistence: EdgeVPN's diskv file layout, reload, pruning to N block files, and
// recovery from corrupt or missing files.
#include "ledger/ledger_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace edgevpn::ledger {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExampleWire =
    R"({"Index":1,"Timestamp":"2023-11-14 22:13:21.123456789 +0000 UTC","Storage":{"healthcheck":{"12D3KooWA":"\"2023-11-14T22:13:21Z\""},"machines":{"10.1.0.1":"{\"PeerID\":\"12D3KooWA\",\"Hostname\":\"h\",\"OS\":\"linux\",\"Arch\":\"amd64\",\"Address\":\"10.1.0.1\",\"Version\":\"\"}"}},"Hash":"831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7","PrevHash":"993c923422cd134b6aad0235ebfd4290a7b27b83d1bcd6b1fb2addc4b45b2fa6"})";

Block block_at(int64_t index) {
  Block block;
  block.index = index;
  block.timestamp = "2023-11-14 22:13:21 +0000 UTC";
  block.storage["machines"]["10.1.0." + std::to_string(index)].value =
      R"({"PeerID":"12D3KooW)" + std::to_string(index) + R"("})";
  block.prev_hash = "prev" + std::to_string(index);
  block.hash = block_checksum(block);
  return block;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class LedgerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("edgevpn-ledger-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LedgerStore open(LedgerStoreOptions options = {}) {
    auto store = LedgerStore::open(dir_, options);
    EXPECT_TRUE(store.ok()) << store.error().describe();
    return std::move(store).value();
  }

  fs::path dir_;
};

TEST_F(LedgerStoreTest, EmptyFolderLoadsNothing) {
  auto loaded = open().load_last();
  EXPECT_FALSE(loaded.block.has_value());
  EXPECT_TRUE(loaded.problems.empty());
}

TEST_F(LedgerStoreTest, WritesEdgeVpnDiskvLayout) {
  auto store = open();
  ASSERT_TRUE(store.save(block_at(3)).ok());
  EXPECT_EQ(read_text(dir_ / "index"), "3");
  EXPECT_EQ(read_text(dir_ / "3"), encode_block(block_at(3)));
  for (const auto& item : fs::directory_iterator(dir_)) {  // no temp files left behind
    EXPECT_NE(item.path().filename().string().front(), '.') << item.path();
  }
}

TEST_F(LedgerStoreTest, ReadsLedgerWrittenByEdgeVpn) {
  fs::create_directories(dir_);
  write_text(dir_ / "0", R"({"Index":0,"Timestamp":"t","Storage":{},"Hash":"h","PrevHash":""})");
  write_text(dir_ / "1", kExampleWire);
  write_text(dir_ / "index", "1");
  auto loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(encode_block(*loaded.block), kExampleWire);
  EXPECT_TRUE(loaded.problems.empty());
}

TEST_F(LedgerStoreTest, SurvivesReload) {
  {
    auto store = open();
    for (int64_t i = 0; i <= 5; ++i) ASSERT_TRUE(store.save(block_at(i)).ok());
  }
  auto loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(*loaded.block, block_at(5));
  EXPECT_EQ(loaded.file_index, std::optional<int64_t>(5));
}

TEST_F(LedgerStoreTest, PrunesToLastNBlockFiles) {
  LedgerStoreOptions options;
  options.keep_blocks = 4;
  auto store = open(options);
  for (int64_t i = 0; i < 10; ++i) ASSERT_TRUE(store.save(block_at(i)).ok());
  EXPECT_EQ(store.stored_indexes(), (std::vector<int64_t>{6, 7, 8, 9}));
  EXPECT_TRUE(fs::exists(dir_ / "index"));
}

TEST_F(LedgerStoreTest, KeepsSixteenBlocksByDefault) {
  auto store = open();
  for (int64_t i = 1; i <= 40; ++i) ASSERT_TRUE(store.save(block_at(i)).ok());
  auto indexes = store.stored_indexes();
  ASSERT_EQ(indexes.size(), 16u);
  EXPECT_EQ(indexes.front(), 25);
  EXPECT_EQ(indexes.back(), 40);
}

TEST_F(LedgerStoreTest, RecoversFromCorruptNewestBlock) {
  auto store = open();
  for (int64_t i = 1; i <= 3; ++i) ASSERT_TRUE(store.save(block_at(i)).ok());
  write_text(dir_ / "3", R"({"Index":3,"Storage":{"machines":)");  // torn write
  auto loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(*loaded.block, block_at(2));
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_NE(loaded.problems[0].find("block 3"), std::string::npos) << loaded.problems[0];
}

TEST_F(LedgerStoreTest, FallsBackToNewestBlockWhenIndexFileIsBad) {
  auto store = open();
  for (int64_t i = 1; i <= 3; ++i) ASSERT_TRUE(store.save(block_at(i)).ok());
  write_text(dir_ / "index", "garbage");
  auto loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(*loaded.block, block_at(3));
  EXPECT_EQ(loaded.problems.size(), 1u);

  fs::remove(dir_ / "index");
  loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(*loaded.block, block_at(3));
  EXPECT_TRUE(loaded.problems.empty());
}

TEST_F(LedgerStoreTest, ToleratesTrailingNewlineInIndexFile) {
  auto store = open();
  ASSERT_TRUE(store.save(block_at(1)).ok());
  ASSERT_TRUE(store.save(block_at(2)).ok());
  write_text(dir_ / "index", "1\n");
  auto loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(loaded.block->index, 1);
  EXPECT_TRUE(loaded.problems.empty());
}

TEST_F(LedgerStoreTest, SkipsFileHoldingAnotherIndex) {
  auto store = open();
  ASSERT_TRUE(store.save(block_at(1)).ok());
  ASSERT_TRUE(store.save(block_at(2)).ok());
  write_text(dir_ / "2", encode_block(block_at(7)));
  auto loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(loaded.block->index, 1);
}

TEST_F(LedgerStoreTest, AllCorruptLoadsNothingAndReportsEach) {
  auto store = open();
  ASSERT_TRUE(store.save(block_at(1)).ok());
  ASSERT_TRUE(store.save(block_at(2)).ok());
  write_text(dir_ / "1", "x");
  write_text(dir_ / "2", "");
  auto loaded = open().load_last();
  EXPECT_FALSE(loaded.block.has_value());
  EXPECT_EQ(loaded.problems.size(), 2u);
}

TEST_F(LedgerStoreTest, SavingLowerIndexDropsStaleHigherFiles) {
  auto store = open();
  for (int64_t i = 1; i <= 5; ++i) ASSERT_TRUE(store.save(block_at(i)).ok());
  ASSERT_TRUE(store.save(block_at(2)).ok());
  EXPECT_EQ(store.stored_indexes(), (std::vector<int64_t>{1, 2}));
  auto loaded = open().load_last();
  ASSERT_TRUE(loaded.block.has_value());
  EXPECT_EQ(loaded.block->index, 2);
}

TEST_F(LedgerStoreTest, SavesWithFsync) {
  LedgerStoreOptions options;
  options.fsync = true;
  auto store = open(options);
  ASSERT_TRUE(store.save(block_at(1)).ok());
  EXPECT_EQ(*open().load_last().block, block_at(1));
}

TEST_F(LedgerStoreTest, OpenFailsOnRegularFile) {
  write_text(dir_, "file");
  auto store = LedgerStore::open(dir_);
  EXPECT_FALSE(store.ok());
}

TEST(LedgerStoreNames, OnlyCanonicalDecimalNamesAreBlockFiles) {
  EXPECT_EQ(parse_block_file_name("0"), std::optional<int64_t>(0));
  EXPECT_EQ(parse_block_file_name("42"), std::optional<int64_t>(42));
  EXPECT_EQ(parse_block_file_name("-3"), std::optional<int64_t>(-3));
  EXPECT_FALSE(parse_block_file_name("index").has_value());
  EXPECT_FALSE(parse_block_file_name("042").has_value());
  EXPECT_FALSE(parse_block_file_name("+4").has_value());
  EXPECT_FALSE(parse_block_file_name(".4.tmp").has_value());
  EXPECT_FALSE(parse_block_file_name("").has_value());
  EXPECT_FALSE(parse_block_file_name("99999999999999999999").has_value());
}

}  // namespace
}  // namespace edgevpn::ledger
