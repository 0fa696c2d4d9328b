// Stream: the coroutine-facing handle, forwarding to the Connection that carries the stream.
#include "p2p/host/stream.hpp"

#include "p2p/host/connection.hpp"

namespace edgevpn::p2p::host {
namespace {

util::Error gone() { return util::make_error(util::Errc::kClosed, "connection closed"); }

// The connection carrying `state`, or why there is none.
util::Result<std::shared_ptr<Connection>> carrier(const std::shared_ptr<StreamState>& state) {
  if (!state) return util::make_error(util::Errc::kInvalidArgument, "empty stream handle");
  auto conn = state->connection.lock();
  if (!conn) return state->failure ? *state->failure : gone();
  return conn;
}

}  // namespace

asio::awaitable<util::Result<size_t>> Stream::read_some(std::span<uint8_t> out) {
  auto state = state_;
  auto conn = carrier(state);
  if (!conn) co_return conn.error();
  co_return co_await (*conn)->read(state, out);
}

asio::awaitable<util::Result<size_t>> Stream::read_chunks(std::vector<util::Bytes>& out,
                                                          size_t max_bytes) {
  auto state = state_;
  auto conn = carrier(state);
  if (!conn) co_return conn.error();
  co_return co_await (*conn)->read_chunks(state, out, max_bytes);
}

asio::awaitable<util::Status> Stream::read_exact(std::span<uint8_t> out) {
  size_t have = 0;
  while (have < out.size()) {
    auto n = co_await read_some(out.subspan(have));
    if (!n) co_return n.error();
    if (*n == 0) co_return util::make_error(util::Errc::kTruncated, "stream ended early");
    have += *n;
  }
  co_return util::Status{};
}

asio::awaitable<util::Result<util::Bytes>> Stream::read_to_end(size_t max_bytes) {
  util::Bytes data;
  uint8_t chunk[16 * 1024];
  for (;;) {
    auto n = co_await read_some(chunk);
    if (!n) co_return n.error();
    if (*n == 0) co_return data;
    if (data.size() + *n > max_bytes) {
      co_return util::make_error(util::Errc::kTooLarge, "stream carries more than allowed");
    }
    data.insert(data.end(), chunk, chunk + *n);
  }
}

asio::awaitable<util::Status> Stream::write_all(util::ByteView data) {
  auto state = state_;
  auto conn = carrier(state);
  if (!conn) co_return conn.error();
  co_return co_await (*conn)->write(state, data);
}

util::Status Stream::close() {
  if (!state_) return util::make_error(util::Errc::kInvalidArgument, "empty stream handle");
  auto conn = state_->connection.lock();
  if (!conn) return gone();
  return conn->close_stream(*state_);
}

void Stream::reset() {
  if (!state_) return;
  if (auto conn = state_->connection.lock()) {
    conn->reset_stream(*state_);
  } else {
    state_->reset = true;
  }
}

const crypto::PeerId& Stream::remote_peer() const { return state_->remote_peer; }
const Multiaddr& Stream::remote_addr() const { return state_->remote_addr; }
const std::string& Stream::protocol() const { return state_->protocol; }
uint32_t Stream::id() const { return state_->id; }
bool Stream::is_reset() const { return state_ && state_->reset; }

}  // namespace edgevpn::p2p::host
