// Connection: the socket <-> noise <-> yamux pump and the yamux stream operations.
#include "p2p/host/connection.hpp"

#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cstring>
#include <system_error>
#include <utility>

#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::host {
namespace {

using util::Errc;
using util::make_error;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.host");
  return log;
}

util::SteadyTime now() { return std::chrono::steady_clock::now(); }

}  // namespace

asio::awaitable<void> AsyncSignal::wait() {
  asio::error_code ignored;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

StreamState::~StreamState() {
  if (auto conn = connection.lock()) {
    if (!reset) conn->release_stream(id, local_closed);
  }
}

Connection::Connection(asio::ip::tcp::socket socket, noise::Transport transport,
                       util::Bytes early_plaintext, ConnectionInfo info, yamux::Role role,
                       const yamux::Config& config, ConnectionLimits limits,
                       ConnectionObserver& observer)
    : executor_(socket.get_executor()),
      socket_(std::move(socket)),
      transport_(std::move(transport)),
      early_plaintext_(std::move(early_plaintext)),
      info_(std::move(info)),
      session_(role, config),
      limits_(limits),
      observer_(observer),
      flush_signal_(executor_),
      drained_(executor_),
      keepalive_timer_(executor_) {}

Connection::~Connection() = default;

void Connection::start(task::TaskGroup& tasks) {
  // Each loop holds the connection alive through its `self` parameter.
  auto self = shared_from_this();
  tasks.spawn(supervise(self, read_loop(self)), "connection read loop");
  tasks.spawn(supervise(self, write_loop(self)), "connection write loop");
  if (session_.config().keepalive_interval.count() > 0) {
    tasks.spawn(supervise(self, keepalive_loop(self)), "connection keepalive");
  }
}

asio::awaitable<void> Connection::supervise(std::shared_ptr<Connection> self,
                                            asio::awaitable<void> loop) {
  // No half-open connection: whatever ends a loop by an exception ends the connection; the group
  // then logs and counts the exception (a cancellation by the owner is not a failure).
  try {
    co_await std::move(loop);
  } catch (const std::system_error& e) {
    self->fail(e.code() == asio::error::operation_aborted
                   ? make_error(Errc::kClosed, "connection stopped")
                   : make_error(Errc::kIo, std::string("connection loop failed: ") + e.what()));
    throw;
  } catch (const std::exception& e) {
    self->fail(make_error(Errc::kIo, std::string("connection loop failed: ") + e.what()));
    throw;
  } catch (...) {
    self->fail(make_error(Errc::kIo, "connection loop failed"));
    throw;
  }
}

// --- pump ----------------------------------------------------------------------------------

util::Status Connection::feed_plaintexts(std::span<const util::ByteView> plaintexts) {
  const auto at = now();
  util::Status status;
  for (const auto plaintext : plaintexts) {
    status = session_.on_bytes(plaintext, at);
    if (!status) break;
  }
  handle_events();
  request_flush();
  return status;
}

asio::awaitable<void> Connection::read_loop(std::shared_ptr<Connection> self) {
  if (!early_plaintext_.empty()) {
    const util::Bytes early = std::move(early_plaintext_);
    const util::ByteView view(early);
    if (auto status = feed_plaintexts({&view, 1}); !status) {
      fail(status.error());
      co_return;
    }
  }
  // Frames are decrypted in place and fed to yamux from this buffer; a partial frame at its end
  // moves to the front for the next read (room for one whole frame is always left).
  const size_t capacity = limits_.read_chunk + noise::kFrameHeaderSize + noise::kMaxMessageSize;
  auto buffer = std::make_unique_for_overwrite<uint8_t[]>(capacity);
  const util::Bytes partial = transport_.receiver.take_buffered();
  std::copy(partial.begin(), partial.end(), buffer.get());
  size_t have = partial.size();
  std::vector<util::ByteView> plaintexts;
  // Writers stop below 2 x max_send_backlog (one write of at most max_send_backlog after a check
  // under it), so a backlog beyond that is the peer's doing.
  const size_t pause_at = 2 * limits_.max_send_backlog + limits_.max_answer_backlog;
  while (!closed_) {
    if (send_backlog() >= pause_at) {
      observer_.on_reads_paused(*this);
      while (!closed_ && send_backlog() >= pause_at) co_await drained_.wait();
      if (closed_) co_return;
    }
    asio::error_code ec;
    const size_t n = co_await socket_.async_read_some(
        asio::buffer(buffer.get() + have, limits_.read_chunk),
        asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) co_return;
    if (ec) {
      fail(ec == asio::error::eof ? make_error(Errc::kClosed, "connection closed by the peer")
                                  : make_error(Errc::kIo, "read: " + ec.message()));
      co_return;
    }
    have += n;
    plaintexts.clear();
    auto used = transport_.receiver.open_in_place(std::span<uint8_t>(buffer.get(), have),
                                                  plaintexts);
    if (!used) {
      fail(used.error());
      co_return;
    }
    if (!plaintexts.empty()) {
      if (auto status = feed_plaintexts(plaintexts); !status) {
        fail(status.error());
        co_return;
      }
    }
    std::memmove(buffer.get(), buffer.get() + *used, have - *used);
    have -= *used;
  }
}

asio::awaitable<void> Connection::write_loop(std::shared_ptr<Connection> self) {
  util::Bytes plain;
  std::unique_ptr<uint8_t[]> cipher;
  size_t cipher_capacity = 0;
  for (;;) {
    if (closed_) break;
    if (!session_.has_output()) {
      co_await flush_signal_.wait();
      continue;
    }
    session_.take_output(plain);
    const size_t needed = noise::encrypted_size(plain.size());
    if (needed > cipher_capacity) {
      cipher_capacity = std::max(needed, cipher_capacity * 2);
      cipher = std::make_unique_for_overwrite<uint8_t[]>(cipher_capacity);
    }
    auto written =
        transport_.sender.encrypt_to(std::span<uint8_t>(cipher.get(), cipher_capacity), plain);
    if (!written) {
      fail(written.error());
      break;
    }
    plain.clear();
    in_flight_ = *written;
    asio::error_code ec;
    co_await asio::async_write(socket_, asio::buffer(cipher.get(), *written),
                               asio::redirect_error(asio::use_awaitable, ec));
    in_flight_ = 0;
    drained_.notify();
    if (ec) {
      if (!closed_) fail(make_error(Errc::kIo, "write: " + ec.message()));
      break;
    }
  }
  writer_done_ = true;
  drained_.notify();
}

asio::awaitable<void> Connection::keepalive_loop(std::shared_ptr<Connection> self) {
  while (!closed_) {
    const auto deadline = session_.next_deadline();
    keepalive_timer_.expires_at(deadline ? *deadline
                                         : now() + session_.config().keepalive_interval);
    asio::error_code ec;
    co_await keepalive_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) co_return;
    if (auto status = session_.tick(now()); !status) {
      fail(status.error());
      co_return;
    }
    request_flush();
  }
}

void Connection::handle_events() {
  while (auto event = session_.next_event()) {
    using Kind = yamux::Event::Kind;
    const uint32_t id = event->stream_id;
    std::shared_ptr<StreamState> stream;
    if (auto it = streams_.find(id); it != streams_.end()) stream = it->second.lock();
    switch (event->kind) {
      case Kind::kStreamOpened: {
        auto state = std::make_shared<StreamState>(executor_);
        state->connection = weak_from_this();
        state->remote_peer = info_.remote_peer;
  state->remote_addr = info_.remote_addr;
        state->id = id;
        streams_[id] = state;
        observer_.on_inbound_stream(shared_from_this(), std::move(state));
        break;
      }
      case Kind::kReadable:
        if (stream) {
          stream->readable.notify();
        } else {
          discard_orphan(id);
        }
        break;
      case Kind::kWritable:
        if (stream) stream->writable.notify();
        break;
      case Kind::kRemoteClosed:
        if (stream) {
          stream->remote_closed = true;
          stream->readable.notify();
        } else {
          discard_orphan(id);
        }
        break;
      case Kind::kStreamReset:
        if (stream) {
          stream->reset = true;
          stream->readable.notify();
          stream->writable.notify();
        }
        streams_.erase(id);
        break;
      case Kind::kGoAway:
        if (event->code != 0) {
          fail(make_error(Errc::kProtocol, "peer sent GoAway " + std::to_string(event->code)));
          return;
        }
        break;
      case Kind::kPingRtt:
        break;
    }
  }
}

void Connection::discard_orphan(uint32_t id) {
  uint8_t scratch[16 * 1024];
  for (;;) {
    auto n = session_.read(id, scratch);
    if (!n.ok() || *n == 0) break;
  }
  sweep(id);
}

void Connection::sweep(uint32_t id) {
  if (!session_.has_stream(id)) streams_.erase(id);
}

void Connection::fail(util::Error why) {
  if (closed_) return;
  closed_ = true;
  logger()->debug("connection to {} closed: {}", info_.remote_peer.to_base58(), why.describe());
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  keepalive_timer_.cancel();
  auto streams = std::move(streams_);
  streams_.clear();
  for (auto& [id, weak] : streams) {
    if (auto stream = weak.lock()) {
      stream->failure = why;
      stream->readable.notify();
      stream->writable.notify();
    }
  }
  flush_signal_.notify();
  drained_.notify();
  observer_.on_connection_closed(*this, why);
}

void Connection::abort(util::Error why) { fail(std::move(why)); }

asio::awaitable<void> Connection::close_gracefully(std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  if (closed_) co_return;
  session_.go_away();
  request_flush();
  const auto deadline = now() + timeout;
  asio::steady_timer guard(executor_, deadline);
  // Wake the drain wait at the deadline even if nothing is written.
  guard.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    if (auto conn = weak.lock(); conn && !ec) conn->drained_.notify();
  });
  try {
    while (!closed_ && send_backlog() > 0 && now() < deadline) co_await drained_.wait();
  } catch (...) {
    // Our caller was cancelled: close now rather than leave the connection half closed.
    fail(make_error(Errc::kClosed, "connection closed by us"));
    throw;
  }
  guard.cancel();
  fail(make_error(Errc::kClosed, "connection closed by us"));
}

// --- streams -------------------------------------------------------------------------------

util::Result<std::shared_ptr<StreamState>> Connection::open_stream() {
  if (closed_) return make_error(Errc::kClosed, "connection closed");
  EDGEVPN_TRY_ASSIGN(id, session_.open_stream());
  auto state = std::make_shared<StreamState>(executor_);
  state->connection = weak_from_this();
  state->remote_peer = info_.remote_peer;
  state->remote_addr = info_.remote_addr;
  state->id = id;
  streams_[id] = state;
  request_flush();
  return state;
}

asio::awaitable<util::Result<size_t>> Connection::read(const std::shared_ptr<StreamState>& stream,
                                                       std::span<uint8_t> out) {
  auto self = shared_from_this();
  if (out.empty()) co_return size_t{0};
  for (;;) {
    if (stream->pushback_offset < stream->pushback.size()) {
      const size_t n = std::min(out.size(), stream->pushback.size() - stream->pushback_offset);
      std::memcpy(out.data(), stream->pushback.data() + stream->pushback_offset, n);
      stream->pushback_offset += n;
      if (stream->pushback_offset == stream->pushback.size()) {
        util::Bytes().swap(stream->pushback);
        stream->pushback_offset = 0;
      }
      co_return n;
    }
    if (auto blocked = read_blocker(*stream)) co_return *blocked;
    auto n = session_.read(stream->id, out);
    if (!n.ok()) co_return read_end(*stream, n.error());
    if (*n > 0) {
      request_flush();  // the read may have queued a window update
      sweep(stream->id);
      co_return *n;
    }
    co_await stream->readable.wait();
  }
}

asio::awaitable<util::Result<size_t>> Connection::read_chunks(
    const std::shared_ptr<StreamState>& stream, std::vector<util::Bytes>& out, size_t max_bytes) {
  auto self = shared_from_this();
  for (;;) {
    if (stream->pushback_offset < stream->pushback.size()) {
      util::Bytes rest = std::exchange(stream->pushback, {});
      rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(stream->pushback_offset));
      stream->pushback_offset = 0;
      const size_t n = rest.size();
      out.push_back(std::move(rest));
      co_return n;
    }
    if (auto blocked = read_blocker(*stream)) co_return *blocked;
    size_t total = 0;
    util::Status end;
    while (total < max_bytes) {
      auto chunk = session_.take(stream->id);
      if (!chunk.ok()) {
        end = chunk.error();
        break;
      }
      if (chunk->empty()) break;
      total += chunk->size();
      out.push_back(std::move(*chunk));
    }
    if (total > 0) {
      request_flush();  // taking may have queued a window update
      sweep(stream->id);
      co_return total;
    }
    if (!end.ok()) co_return read_end(*stream, end.error());
    co_await stream->readable.wait();
  }
}

std::optional<util::Error> Connection::read_blocker(const StreamState& stream) const {
  if (stream.reset) return make_error(Errc::kClosed, "stream was reset");
  if (stream.failure) return *stream.failure;
  if (closed_) return make_error(Errc::kClosed, "connection closed");
  return std::nullopt;
}

util::Result<size_t> Connection::read_end(const StreamState& stream, const util::Error& why) {
  if (why.code == Errc::kClosed) {
    sweep(stream.id);
    return size_t{0};
  }
  if (why.code == Errc::kNotFound && stream.remote_closed && !stream.reset) return size_t{0};
  return make_error(Errc::kClosed, "stream was reset");
}

asio::awaitable<util::Status> Connection::write(const std::shared_ptr<StreamState>& stream,
                                                util::ByteView data) {
  auto self = shared_from_this();
  while (!data.empty()) {
    if (stream->reset) co_return make_error(Errc::kClosed, "stream was reset");
    if (stream->failure) co_return *stream->failure;
    if (closed_) co_return make_error(Errc::kClosed, "connection closed");
    if (stream->local_closed) co_return make_error(Errc::kClosed, "stream closed for writing");
    if (send_backlog() >= limits_.max_send_backlog) {
      co_await drained_.wait();
      continue;
    }
    auto n = session_.write(stream->id, data.first(std::min(data.size(), limits_.max_send_backlog)));
    if (!n.ok()) {
      if (n.error().code == Errc::kNotFound) co_return make_error(Errc::kClosed, "stream was reset");
      co_return n.error();
    }
    if (*n > 0) request_flush();
    data = data.subspan(*n);
    if (*n == 0) co_await stream->writable.wait();
  }
  co_return util::Status{};
}

util::Status Connection::close_stream(StreamState& stream) {
  if (stream.local_closed) return {};
  if (stream.reset) return make_error(Errc::kClosed, "stream was reset");
  if (closed_) return make_error(Errc::kClosed, "connection closed");
  stream.local_closed = true;
  auto status = session_.close(stream.id);
  request_flush();
  sweep(stream.id);
  if (!status && status.error().code == Errc::kNotFound) return {};  // already gone both ways
  return status;
}

void Connection::reset_stream(StreamState& stream) {
  if (stream.reset) return;
  stream.reset = true;
  stream.readable.notify();
  stream.writable.notify();
  if (closed_) return;
  (void)session_.reset(stream.id);
  streams_.erase(stream.id);
  request_flush();
}

void Connection::release_stream(uint32_t id, bool local_closed) {
  if (closed_) return;
  if (!session_.has_stream(id)) {
    streams_.erase(id);
    return;
  }
  if (!local_closed) (void)session_.close(id);
  discard_orphan(id);
  request_flush();
}

}  // namespace edgevpn::p2p::host
