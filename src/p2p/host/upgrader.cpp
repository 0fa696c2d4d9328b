// The connection upgrade: multistream /noise -> Noise XX -> multistream /yamux/1.0.0.
#include "p2p/host/upgrader.hpp"

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "p2p/multistream/multistream_negotiator.hpp"

namespace edgevpn::p2p::host {
namespace {

using util::Errc;
using util::make_error;
using multistream::Negotiator;

constexpr size_t kReadChunk = 64 * 1024;

asio::awaitable<util::Status> write_raw(asio::ip::tcp::socket& socket, util::ByteView data) {
  if (data.empty()) co_return util::Status{};
  asio::error_code ec;
  co_await asio::async_write(socket, asio::buffer(data.data(), data.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return make_error(Errc::kIo, "write during upgrade: " + ec.message());
  co_return util::Status{};
}

asio::awaitable<util::Result<size_t>> read_raw(asio::ip::tcp::socket& socket, util::Bytes& buffer) {
  buffer.resize(kReadChunk);
  asio::error_code ec;
  const size_t n = co_await socket.async_read_some(asio::buffer(buffer),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec == asio::error::eof) co_return make_error(Errc::kClosed, "peer closed during upgrade");
  if (ec) co_return make_error(Errc::kIo, "read during upgrade: " + ec.message());
  co_return n;
}

Negotiator make_negotiator(bool initiator, const std::string& protocol) {
  return initiator ? Negotiator::dialer({protocol}) : Negotiator::listener({protocol});
}

// Multistream on the raw socket; returns the bytes that followed it.
asio::awaitable<util::Result<util::Bytes>> negotiate_plain(asio::ip::tcp::socket& socket,
                                                           Negotiator& negotiator) {
  util::Bytes buffer;
  for (;;) {
    if (auto status = co_await write_raw(socket, negotiator.take_output()); !status) {
      co_return status.error();
    }
    if (negotiator.done()) co_return negotiator.take_leftover();
    auto n = co_await read_raw(socket, buffer);
    if (!n) co_return n.error();
    if (auto status = negotiator.feed(util::ByteView(buffer.data(), *n)); !status) {
      co_return status.error();
    }
  }
}

asio::awaitable<util::Result<noise::Session>> run_noise(asio::ip::tcp::socket& socket,
                                                        noise::Handshake& handshake,
                                                        util::Bytes leftover,
                                                        util::Bytes& after) {
  if (!leftover.empty()) {
    if (auto status = handshake.feed(leftover); !status) co_return status.error();
  }
  util::Bytes buffer;
  for (;;) {
    if (auto status = co_await write_raw(socket, handshake.take_output()); !status) {
      co_return status.error();
    }
    if (handshake.done()) break;
    auto n = co_await read_raw(socket, buffer);
    if (!n) co_return n.error();
    if (auto status = handshake.feed(util::ByteView(buffer.data(), *n)); !status) {
      co_return status.error();
    }
  }
  after = handshake.take_leftover();
  co_return handshake.take_session();
}

// Multistream inside the Noise channel; returns the plaintext that followed it.
asio::awaitable<util::Result<util::Bytes>> negotiate_encrypted(asio::ip::tcp::socket& socket,
                                                               noise::Transport& transport,
                                                               Negotiator& negotiator,
                                                               util::Bytes ciphertext) {
  util::Bytes plain;
  util::Bytes buffer;
  if (auto status = transport.decrypt_into(plain, ciphertext); !status) co_return status.error();
  if (!plain.empty()) {
    if (auto status = negotiator.feed(plain); !status) co_return status.error();
  }
  for (;;) {
    util::Bytes out = negotiator.take_output();
    if (!out.empty()) {
      util::Bytes framed;
      if (auto status = transport.encrypt_into(framed, out); !status) co_return status.error();
      if (auto status = co_await write_raw(socket, framed); !status) co_return status.error();
    }
    if (negotiator.done()) co_return negotiator.take_leftover();
    auto n = co_await read_raw(socket, buffer);
    if (!n) co_return n.error();
    plain.clear();
    if (auto status = transport.decrypt_into(plain, util::ByteView(buffer.data(), *n)); !status) {
      co_return status.error();
    }
    if (!plain.empty()) {
      if (auto status = negotiator.feed(plain); !status) co_return status.error();
    }
  }
}

asio::awaitable<util::Result<Upgraded>> run_upgrade(asio::ip::tcp::socket& socket, bool initiator,
                                                    const crypto::PrivateKey& identity,
                                                    std::optional<crypto::PeerId> expected) {
  Negotiator security = make_negotiator(initiator, std::string(noise::kProtocolId));
  auto leftover = co_await negotiate_plain(socket, security);
  if (!leftover) co_return leftover.error();

  noise::Handshake handshake(initiator ? noise::Role::kInitiator : noise::Role::kResponder,
                             identity, std::move(expected));
  util::Bytes after_handshake;
  auto session = co_await run_noise(socket, handshake, std::move(*leftover), after_handshake);
  if (!session) co_return session.error();

  Upgraded result{std::move(*session), {}};
  if (result.security.early_muxer && *result.security.early_muxer == kMuxerProtocol) {
    util::Bytes plain;
    if (auto status = result.security.transport.decrypt_into(plain, after_handshake); !status) {
      co_return status.error();
    }
    result.early_plaintext = std::move(plain);
    co_return result;
  }
  Negotiator muxer = make_negotiator(initiator, kMuxerProtocol);
  auto early = co_await negotiate_encrypted(socket, result.security.transport, muxer,
                                            std::move(after_handshake));
  if (!early) co_return early.error();
  result.early_plaintext = std::move(*early);
  co_return result;
}

}  // namespace

asio::awaitable<util::Result<Upgraded>> upgrade_connection(
    asio::ip::tcp::socket& socket, bool initiator, const crypto::PrivateKey& identity,
    std::optional<crypto::PeerId> expected_remote, std::chrono::milliseconds timeout) {
  // The guard may fire after we are done (its handler already queued): it then does nothing.
  struct GuardState {
    bool done = false;
    bool timed_out = false;
  };
  auto state = std::make_shared<GuardState>();
  asio::steady_timer guard(socket.get_executor(), timeout);
  guard.async_wait([&socket, state](const asio::error_code& ec) {
    if (ec || state->done) return;
    state->timed_out = true;
    asio::error_code ignored;
    socket.close(ignored);
  });
  auto result = co_await run_upgrade(socket, initiator, identity, std::move(expected_remote));
  state->done = true;
  guard.cancel();
  if (state->timed_out) co_return make_error(Errc::kTimeout, "connection upgrade timed out");
  co_return result;
}

}  // namespace edgevpn::p2p::host
