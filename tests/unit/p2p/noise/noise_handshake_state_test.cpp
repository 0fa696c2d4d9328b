// Raw Noise_XX_25519_ChaChaPoly_SHA256 against published test vectors (cacophony and snow), plus
// turn-order and tampering checks of the HandshakeState.
#include "p2p/noise/noise_handshake_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/encoding.hpp"

namespace edgevpn::p2p::noise {
namespace {

util::Bytes hex(std::string_view text) {
  auto decoded = util::hex_decode(text);
  EXPECT_TRUE(decoded.ok()) << text;
  return decoded.ok() ? *decoded : util::Bytes{};
}

DhKeyPair key_from_hex(std::string_view text) {
  const util::Bytes raw = hex(text);
  DhKey key{};
  std::copy(raw.begin(), raw.end(), key.begin());
  return DhKeyPair::from_private(key);
}

struct Vector {
  std::string name;
  std::string prologue;
  std::string init_static;
  std::string init_ephemeral;
  std::string resp_static;
  std::string resp_ephemeral;
  std::string handshake_hash;                                 // may be empty
  std::vector<std::pair<std::string, std::string>> messages;  // payload, ciphertext
};

// Entries for Noise_XX_25519_ChaChaPoly_SHA256 from cacophony's vectors/cacophony.txt and snow's
// tests/vectors/snow.txt (messages alternate initiator / responder, transport after the third).
const std::vector<Vector>& vectors() {
  static const std::vector<Vector> kVectors = {
      {"cacophony",
       "4a6f686e2047616c74",
       "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
       "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
       "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
       "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
       "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
       {{"4c756477696720766f6e204d69736573",
         "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d"
         "69736573"},
        {"4d757272617920526f746862617264",
         "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffc"
         "e2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be"
         "9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"},
        {"462e20412e20486179656b",
         "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be"
         "0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
        {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
        {"4a65616e2d426170746973746520536179",
         "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
        {"457567656e2042f6686d20766f6e2042617765726b",
         "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"}}},
      {"snow",
       "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e"
       "20616e6420626f72696e672e",
       "7dec208517a3b81a2861d7a71266d5d6dc944c5a8816634a86fe63198a0148ee",
       "a32daf21e93c0131495ce1d903181fde81cc46937daaeb990bae7c992709421e",
       "4d0aed5098e3b4ef20357e9f686ce66204c792b358da2e475017d6c485304881",
       "4eece0f195d026db035ff987597c429d3ad3bcc2944df37d649528951b2a27c5",
       "",
       {{"d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34",
         "f9fa868ba97ab8a2686deccfaad5a484ee10a5bb85e3d1dce015a84797f92818d03c489139e645d0711a3c9e"
         "810d776b46a84912463fafa87b884eebf242dc34"},
        {"d8190a92f7dc0c93dbea9118ba8055751fb7c6590c416ffbd419964132b99a85",
         "8c4e6fdb7d09d501a86f7eca5c234522751706ed409182c05cdf5f827d4dae47b81c6c5f43b025692c24391e"
         "efee725c17d8cb0fbe3e4abb8aedf42c4fd2592d4ea48ac08989d6ae8b4adae08b2c34087c808c7aa55a63c0"
         "2b0fab9e930612336bd43eaea04d3c670a0a146691aa9cc9d357872320dc735dbc48580cffb553db"},
        {"77891b19dcb92ef7c055b672c4a5aa7fdf1c84146b8b303459022729473ce254",
         "933ca6b5ed60df3df66121f0ab49a09e49efa45c613a86a3cecbf4c535cef2f83f72b42837b18e3572f2fdc2"
         "b74c331e2368a545cef54bdca081678ab0e9dd5348122459e0c034c851984d88ce610963d43cde6cfe73a67f"
         "bd5a63e8bfca96d0"},
        {"d7efdf988072881941db045a42882433817555128fbf5663e56081712ec7d212",
         "54ef0ff0629e1aaa7685a2806ab111cba76b52331f2642276736f415868eacb69ab2577f3bda0cbf72f87968"
         "5f6ed25f"},
        {"dd7bf01a588bafb52c6cfba952e5d8fe35cc2b3f92b4730ae2474615157345ce",
         "356be70f110306d5c699bb834bb9d58d909e325924dfbec972e406e6f294dc63e1daebefe8a62a334facc804"
         "8ab4ad66"}}},
  };
  return kVectors;
}

TEST(NoiseHandshakeState, MatchesPublishedTestVectorsByteForByte) {
  for (const auto& vector : vectors()) {
    SCOPED_TRACE(vector.name);
    const util::Bytes prologue = hex(vector.prologue);
    HandshakeState initiator(true, prologue, key_from_hex(vector.init_static),
                             key_from_hex(vector.init_ephemeral));
    HandshakeState responder(false, prologue, key_from_hex(vector.resp_static),
                             key_from_hex(vector.resp_ephemeral));
    for (size_t i = 0; i < 3; ++i) {
      HandshakeState& sender = i % 2 == 0 ? initiator : responder;
      HandshakeState& receiver = i % 2 == 0 ? responder : initiator;
      auto written = sender.write_message(hex(vector.messages[i].first));
      ASSERT_TRUE(written.ok()) << i;
      EXPECT_EQ(util::hex_encode(*written), vector.messages[i].second) << "message " << i;
      auto read = receiver.read_message(*written);
      ASSERT_TRUE(read.ok()) << read.error().describe();
      EXPECT_EQ(*read, hex(vector.messages[i].first));
    }
    ASSERT_TRUE(initiator.complete());
    ASSERT_TRUE(responder.complete());
    EXPECT_EQ(initiator.handshake_hash(), responder.handshake_hash());
    if (!vector.handshake_hash.empty()) {
      EXPECT_EQ(util::hex_encode(initiator.handshake_hash()), vector.handshake_hash);
    }
    EXPECT_EQ(initiator.remote_static(), key_from_hex(vector.resp_static).public_key);
    EXPECT_EQ(responder.remote_static(), key_from_hex(vector.init_static).public_key);

    auto initiator_ciphers = initiator.split();
    auto responder_ciphers = responder.split();
    ASSERT_TRUE(initiator_ciphers.ok());
    ASSERT_TRUE(responder_ciphers.ok());
    for (size_t i = 3; i < vector.messages.size(); ++i) {
      CipherState& send = i % 2 == 0 ? initiator_ciphers->send : responder_ciphers->send;
      CipherState& receive = i % 2 == 0 ? responder_ciphers->receive : initiator_ciphers->receive;
      auto sealed = send.encrypt_with_ad({}, hex(vector.messages[i].first));
      ASSERT_TRUE(sealed.ok());
      EXPECT_EQ(util::hex_encode(*sealed), vector.messages[i].second) << "transport " << i;
      auto opened = receive.decrypt_with_ad({}, *sealed);
      ASSERT_TRUE(opened.ok());
      EXPECT_EQ(*opened, hex(vector.messages[i].first));
    }
  }
}

TEST(NoiseHandshakeState, RefusesToWriteOutOfTurn) {
  HandshakeState responder(false, {}, DhKeyPair::generate());
  EXPECT_FALSE(responder.is_my_turn());
  auto written = responder.write_message({});
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, util::Errc::kInvalidArgument);
  HandshakeState initiator(true, {}, DhKeyPair::generate());
  EXPECT_FALSE(initiator.read_message(util::Bytes(32)).ok());
  EXPECT_FALSE(initiator.split().ok());
}

TEST(NoiseHandshakeState, TamperedSecondMessageFailsForGood) {
  HandshakeState initiator(true, {}, DhKeyPair::generate());
  HandshakeState responder(false, {}, DhKeyPair::generate());
  ASSERT_TRUE(responder.read_message(*initiator.write_message({})).ok());
  util::Bytes second = *responder.write_message(util::to_bytes("payload"));
  second[40] ^= 0x01;  // inside the encrypted static key
  auto read = initiator.read_message(second);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, util::Errc::kCrypto);
  EXPECT_TRUE(initiator.failed());
  EXPECT_FALSE(initiator.write_message({}).ok());
}

TEST(NoiseHandshakeState, ShortMessagesAreTruncatedErrors) {
  HandshakeState responder(false, {}, DhKeyPair::generate());
  auto read = responder.read_message(util::Bytes(31));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, util::Errc::kTruncated);

  HandshakeState initiator(true, {}, DhKeyPair::generate());
  HandshakeState responder2(false, {}, DhKeyPair::generate());
  ASSERT_TRUE(responder2.read_message(*initiator.write_message({})).ok());
  const util::Bytes second = *responder2.write_message({});
  EXPECT_EQ(second.size(), 32u + 48u + 16u);
  auto cut = initiator.read_message(util::ByteView(second).first(second.size() - 1));
  ASSERT_FALSE(cut.ok());
}

TEST(NoiseHandshakeState, LowOrderEphemeralKeyIsRejected) {
  HandshakeState initiator(true, {}, DhKeyPair::generate());
  HandshakeState responder(false, {}, DhKeyPair::generate());
  ASSERT_TRUE(responder.read_message(*initiator.write_message({})).ok());
  util::Bytes second = *responder.write_message({});
  std::fill(second.begin(), second.begin() + 32, 0);  // the all-zero point has low order
  auto read = initiator.read_message(second);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, util::Errc::kCrypto);
}

}  // namespace
}  // namespace edgevpn::p2p::noise
