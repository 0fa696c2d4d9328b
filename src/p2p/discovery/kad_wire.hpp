// DHT messages on host streams, for serving and asking alike: a deadline that resets a stream,
// reading one length-prefixed message. Internal to p2p/discovery.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>

#include "p2p/host/stream.hpp"
#include "p2p/kad/kad_message.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::discovery {

// Resets `stream` when `timeout` passes before the guard is destroyed.
class StreamDeadline {
 public:
  StreamDeadline(const asio::any_io_executor& executor, host::Stream stream,
                 std::chrono::milliseconds timeout);
  ~StreamDeadline();
  StreamDeadline(const StreamDeadline&) = delete;
  StreamDeadline& operator=(const StreamDeadline&) = delete;
  bool expired() const { return state_->expired; }

 private:
  struct State {
    bool finished = false;
    bool expired = false;
  };
  std::shared_ptr<State> state_;
  asio::steady_timer timer_;
};

// Reads one length-prefixed DHT message, keeping extra bytes in `buffer` for the next call.
// kClosed at a clean end of stream between messages, kTimeout when `timeout` passes first.
asio::awaitable<util::Result<kad::Message>> read_message(host::Stream stream, util::Bytes& buffer,
                                                         size_t max_size,
                                                         std::chrono::milliseconds timeout);

// A frame error that means the peer sent garbage (as opposed to the stream going away).
bool is_bad_frame(util::Errc code);

}  // namespace edgevpn::p2p::discovery
