// DHT messages on host streams: deadlines and framed reads.
#include "p2p/discovery/kad_wire.hpp"

#include <asio/this_coro.hpp>
#include <vector>

namespace edgevpn::p2p::discovery {

using util::Errc;
using util::make_error;

StreamDeadline::StreamDeadline(const asio::any_io_executor& executor, host::Stream stream,
                               std::chrono::milliseconds timeout)
    : state_(std::make_shared<State>()), timer_(executor, timeout) {
  timer_.async_wait([stream, state = state_](const asio::error_code& ec) mutable {
    if (ec || state->finished) return;
    state->expired = true;
    stream.reset();
  });
}

StreamDeadline::~StreamDeadline() {
  state_->finished = true;
  timer_.cancel();
}

asio::awaitable<util::Result<kad::Message>> read_message(host::Stream stream, util::Bytes& buffer,
                                                         size_t max_size,
                                                         std::chrono::milliseconds timeout) {
  StreamDeadline deadline(co_await asio::this_coro::executor, stream, timeout);
  std::vector<uint8_t> chunk(16 * 1024);
  for (;;) {
    if (!buffer.empty()) {
      auto frame = kad::read_frame(buffer, max_size);
      if (frame) {
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(frame->consumed));
        co_return std::move(frame->message);
      }
      if (frame.error().code != Errc::kTruncated) co_return frame.error();
    }
    auto n = co_await stream.read_some(chunk);
    if (!n) {
      if (deadline.expired()) co_return make_error(Errc::kTimeout, "no DHT message in time");
      co_return n.error();
    }
    if (*n == 0) {
      if (buffer.empty()) co_return make_error(Errc::kClosed, "end of stream");
      co_return make_error(Errc::kTruncated, "stream ended inside a DHT message");
    }
    buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(*n));
  }
}

bool is_bad_frame(Errc code) {
  return code == Errc::kMalformed || code == Errc::kTooLarge || code == Errc::kTruncated ||
         code == Errc::kProtocol;
}

}  // namespace edgevpn::p2p::discovery
