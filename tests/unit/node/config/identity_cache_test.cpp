// The --privkey-cache key file: created private, reused on the next start.
#include "node/config/identity_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "crypto/peer_id.hpp"
#include "crypto/random.hpp"

namespace edgevpn::node {
namespace {

namespace fs = std::filesystem;

class IdentityCache : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("edgevpn-id-" + crypto::random_alphanumeric(12));
    dir_ = root_ / "nested" / ".edgevpn";
  }
  void TearDown() override { fs::remove_all(root_); }
  static unsigned mode(const fs::path& path) {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 0777;
  }
  fs::path root_;
  fs::path dir_;
};

TEST_F(IdentityCache, CreatesPrivateKeyFileInPrivateDirectory) {
  auto identity = load_or_create_identity(dir_.string());
  ASSERT_TRUE(identity.ok()) << identity.error().describe();
  EXPECT_TRUE(identity->created);
  EXPECT_EQ(identity->path, (dir_ / "privkey").string());
  EXPECT_EQ(mode(dir_), 0700u);
  EXPECT_EQ(mode(dir_ / "privkey"), 0600u);
  // libp2p PrivateKey protobuf: Type=Ed25519 (08 01), Data = 64 bytes (12 40).
  std::ifstream file(dir_ / "privkey", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 68u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x08\x01\x12\x40", 4));
}

TEST_F(IdentityCache, ReusesTheStoredKey) {
  auto first = load_or_create_identity(dir_.string());
  auto second = load_or_create_identity(dir_.string());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(crypto::PeerId::from_public_key(first->key.public_key()),
            crypto::PeerId::from_public_key(second->key.public_key()));
}

TEST_F(IdentityCache, EmptyFileIsReplacedLikeEdgeVpnDoes) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "privkey").close();
  auto identity = load_or_create_identity(dir_.string());
  ASSERT_TRUE(identity.ok());
  EXPECT_TRUE(identity->created);
}

TEST_F(IdentityCache, CorruptFileIsAnErrorNotANewIdentity) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "privkey") << "garbage";
  EXPECT_FALSE(load_or_create_identity(dir_.string()).ok());
}

TEST_F(IdentityCache, WithoutCacheEveryStartHasANewKey) {
  auto a = node_identity(false, dir_.string());
  auto b = node_identity(false, dir_.string());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->key.public_raw(), b->key.public_raw());
  EXPECT_FALSE(fs::exists(dir_));
}

}  // namespace
}  // namespace edgevpn::node
