// Tests for the multistream-select negotiator: dialer and listener talking in memory.
#include "p2p/multistream/multistream_negotiator.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::multistream {
namespace {

// Shuttles output between the two sides until neither has anything to say.
void run(Negotiator& dialer, Negotiator& listener) {
  for (int round = 0; round < 100; ++round) {
    util::Bytes to_listener = dialer.take_output();
    util::Bytes to_dialer = listener.take_output();
    if (to_listener.empty() && to_dialer.empty()) return;
    if (!to_listener.empty()) (void)listener.feed(to_listener);
    if (!to_dialer.empty()) (void)dialer.feed(to_dialer);
  }
  FAIL() << "negotiation did not settle";
}

TEST(MultistreamNegotiator, DialerAndListenerAgreeOnFirstProtocol) {
  auto dialer = Negotiator::dialer({"/noise"});
  auto listener = Negotiator::listener({"/tls/1.0.0", "/noise"});
  run(dialer, listener);
  ASSERT_TRUE(dialer.done());
  ASSERT_TRUE(listener.done());
  EXPECT_EQ(dialer.selected(), "/noise");
  EXPECT_EQ(listener.selected(), "/noise");
}

TEST(MultistreamNegotiator, DialerMovesOnAfterNa) {
  auto dialer = Negotiator::dialer({"/tls/1.0.0", "/mplex/6.7.0", "/yamux/1.0.0"});
  auto listener = Negotiator::listener({"/yamux/1.0.0"});
  run(dialer, listener);
  ASSERT_TRUE(dialer.done());
  ASSERT_TRUE(listener.done());
  EXPECT_EQ(dialer.selected(), "/yamux/1.0.0");
  EXPECT_EQ(listener.selected(), "/yamux/1.0.0");
}

TEST(MultistreamNegotiator, FailsWithNoProtocolInCommon) {
  auto dialer = Negotiator::dialer({"/a", "/b"});
  auto listener = Negotiator::listener({"/c"});
  listener.feed(dialer.take_output()).ok();
  auto status = dialer.feed(listener.take_output());
  ASSERT_TRUE(status.ok());  // first na: the dialer proposes /b
  listener.feed(dialer.take_output()).ok();
  status = dialer.feed(listener.take_output());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kNotFound);
  EXPECT_EQ(status.error().message, "no protocol in common");
  EXPECT_TRUE(dialer.failed());
  EXPECT_FALSE(dialer.selected().has_value());
  EXPECT_FALSE(listener.done());
}

TEST(MultistreamNegotiator, ListenerWritesExactWireBytes) {
  auto listener = Negotiator::listener({"/noise"});
  util::Bytes expected_header = encode_message("/multistream/1.0.0");
  EXPECT_EQ(listener.take_output(), expected_header);
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "/tls/1.0.0");
  ASSERT_TRUE(listener.feed(in).ok());
  EXPECT_EQ(listener.take_output(), encode_message("na"));
  ASSERT_TRUE(listener.feed(encode_message("/noise")).ok());
  EXPECT_EQ(listener.take_output(), encode_message("/noise"));
  EXPECT_TRUE(listener.done());
}

TEST(MultistreamNegotiator, DialerPipelinesHeaderAndFirstProposal) {
  auto dialer = Negotiator::dialer({"/noise", "/tls/1.0.0"});
  const util::Bytes expected = {0x13, '/', 'm', 'u', 'l', 't', 'i', 's', 't', 'r',
                                'e',  'a', 'm', '/', '1', '.', '0', '.', '0', '\n',
                                0x07, '/', 'n', 'o', 'i', 's', 'e', '\n'};
  EXPECT_EQ(dialer.take_output(), expected);
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "na");
  ASSERT_TRUE(dialer.feed(in).ok());
  EXPECT_EQ(dialer.take_output(), encode_message("/tls/1.0.0"));
}

TEST(MultistreamNegotiator, ListenerAnswersLsWithItsProtocols) {
  auto listener = Negotiator::listener({"/noise", "/yamux/1.0.0"});
  listener.take_output();
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "ls");
  ASSERT_TRUE(listener.feed(in).ok());
  const util::Bytes reply = listener.take_output();
  auto message = decode_message(reply);
  ASSERT_TRUE(message.ok());
  auto listed = decode_ls_response(message->line);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, (std::vector<std::string>{"/noise", "/yamux/1.0.0"}));
  EXPECT_FALSE(listener.done());
}

TEST(MultistreamNegotiator, ListenerUsesPredicate) {
  auto listener = Negotiator::listener(
      {}, [](std::string_view name) { return name.rfind("/ipfs/ping/", 0) == 0; });
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "/ipfs/ping/1.0.0");
  ASSERT_TRUE(listener.feed(in).ok());
  EXPECT_EQ(listener.selected(), "/ipfs/ping/1.0.0");
}

TEST(MultistreamNegotiator, LeftoverBytesAfterNegotiationGoToCaller) {
  auto listener = Negotiator::listener({"/echo/1.0.0"});
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "/echo/1.0.0");
  const util::Bytes data = {'h', 'e', 'l', 'l', 'o'};
  util::append(in, data);
  ASSERT_TRUE(listener.feed(in).ok());
  ASSERT_TRUE(listener.done());
  EXPECT_EQ(listener.take_leftover(), data);
  EXPECT_TRUE(listener.take_leftover().empty());
  // Later bytes are kept too.
  ASSERT_TRUE(listener.feed(data).ok());
  EXPECT_EQ(listener.take_leftover(), data);
}

TEST(MultistreamNegotiator, DialerLeftoverAfterEcho) {
  auto dialer = Negotiator::dialer({"/echo/1.0.0"});
  dialer.take_output();
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "/echo/1.0.0");
  in.push_back(0x99);
  ASSERT_TRUE(dialer.feed(in).ok());
  ASSERT_TRUE(dialer.done());
  EXPECT_EQ(dialer.take_leftover(), util::Bytes{0x99});
}

TEST(MultistreamNegotiator, ByteByByteFeedingWorks) {
  auto dialer = Negotiator::dialer({"/x", "/noise"});
  auto listener = Negotiator::listener({"/noise"});
  for (int round = 0; round < 10; ++round) {
    for (uint8_t b : dialer.take_output()) ASSERT_TRUE(listener.feed(util::ByteView(&b, 1)).ok());
    for (uint8_t b : listener.take_output()) ASSERT_TRUE(dialer.feed(util::ByteView(&b, 1)).ok());
  }
  EXPECT_EQ(dialer.selected(), "/noise");
  EXPECT_EQ(listener.selected(), "/noise");
}

TEST(MultistreamNegotiator, OversizeMessageIsRejected) {
  auto listener = Negotiator::listener({"/noise"});
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, std::string(2000, 'x'));
  auto status = listener.feed(in);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kTooLarge);
  EXPECT_TRUE(listener.failed());
  EXPECT_FALSE(listener.feed(encode_message("/noise")).ok());
}

TEST(MultistreamNegotiator, WrongHeaderIsRejected) {
  auto dialer = Negotiator::dialer({"/noise"});
  auto status = dialer.feed(encode_message("/multistream/2.0.0"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kUnsupported);
}

TEST(MultistreamNegotiator, ListenerGivesUpAfterTooManyAttempts) {
  auto listener = Negotiator::listener({"/noise"});
  util::Bytes in = encode_message("/multistream/1.0.0");
  for (size_t i = 0; i <= kMaxAttempts; ++i) encode_message(in, "/nope/" + std::to_string(i));
  auto status = listener.feed(in);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, util::Errc::kProtocol);
}

TEST(MultistreamNegotiator, DialerRejectsUnexpectedAnswer) {
  auto dialer = Negotiator::dialer({"/noise"});
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "/tls/1.0.0");
  EXPECT_EQ(dialer.feed(in).error().code, util::Errc::kProtocol);
}

TEST(MultistreamNegotiator, LazyDialerSelectsAtOnceAndChecksEchoLater) {
  auto dialer = Negotiator::dialer({"/noise"}, /*lazy=*/true);
  EXPECT_EQ(dialer.selected(), "/noise");
  EXPECT_FALSE(dialer.done());
  auto listener = Negotiator::listener({"/noise"});
  run(dialer, listener);
  EXPECT_TRUE(dialer.done());

  auto refused = Negotiator::dialer({"/noise"}, /*lazy=*/true);
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "na");
  EXPECT_EQ(refused.feed(in).error().code, util::Errc::kNotFound);
  EXPECT_FALSE(refused.selected().has_value());
}

TEST(MultistreamNegotiator, DialerWithoutProtocolsFails) {
  auto dialer = Negotiator::dialer({});
  EXPECT_TRUE(dialer.failed());
  EXPECT_TRUE(dialer.take_output().empty());
  EXPECT_EQ(dialer.feed({}).error().code, util::Errc::kInvalidArgument);
}

TEST(MultistreamNegotiator, SurvivesMoveAfterConstruction) {
  auto original = Negotiator::listener({"/noise"});
  Negotiator moved = std::move(original);
  util::Bytes in = encode_message("/multistream/1.0.0");
  encode_message(in, "/noise");
  ASSERT_TRUE(moved.feed(in).ok());
  EXPECT_TRUE(moved.done());
}

}  // namespace
}  // namespace edgevpn::p2p::multistream
