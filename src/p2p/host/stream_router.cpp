// StreamRouter: multistream-select on streams, both ways, and the protocol handlers.
#include "p2p/host/stream_router.hpp"

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "p2p/host/host_core.hpp"
#include "p2p/multistream/multistream_negotiator.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::host {
namespace {

using multistream::Negotiator;
using util::Errc;
using util::make_error;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.host");
  return log;
}

// Runs multistream-select on a stream; the stream is reset when `timeout` passes first.
asio::awaitable<util::Status> negotiate_stream(Stream stream, StreamState& state,
                                               Negotiator& negotiator,
                                               std::chrono::milliseconds timeout) {
  struct GuardState {
    bool done = false;
  };
  auto guard_state = std::make_shared<GuardState>();
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer guard(executor, timeout);
  guard.async_wait([stream, guard_state](const asio::error_code& ec) mutable {
    if (!ec && !guard_state->done) stream.reset();
  });
  util::Status result;
  uint8_t buffer[2048];
  for (;;) {
    util::Bytes out = negotiator.take_output();
    if (!out.empty()) {
      if (auto status = co_await stream.write_all(out); !status) {
        result = status;
        break;
      }
    }
    if (negotiator.done()) {
      state.pushback = negotiator.take_leftover();
      state.pushback_offset = 0;
      state.protocol = negotiator.selected().value_or("");
      break;
    }
    auto n = co_await stream.read_some(buffer);
    if (!n) {
      result = n.error();
      break;
    }
    if (*n == 0) {
      result = make_error(Errc::kClosed, "stream closed during protocol negotiation");
      break;
    }
    if (auto status = negotiator.feed(util::ByteView(buffer, *n)); !status) {
      result = status;
      break;
    }
  }
  guard_state->done = true;
  guard.cancel();
  if (result.ok() && stream.is_reset())
    result = make_error(Errc::kTimeout, "negotiation timed out");
  co_return result;
}

}  // namespace

void StreamRouter::set_handler(const std::string& protocol, StreamHandler handler) {
  handlers_[protocol] = std::move(handler);
}

bool StreamRouter::remove_handler(const std::string& protocol) {
  return handlers_.erase(protocol) > 0;
}

std::vector<std::string> StreamRouter::protocols() const {
  std::vector<std::string> out;
  out.reserve(handlers_.size());
  for (const auto& [protocol, handler] : handlers_) out.push_back(protocol);
  return out;
}

void StreamRouter::serve(std::shared_ptr<StreamState> state) {
  core_.tasks.spawn(serve_stream(core_.shared_from_this(), std::move(state)), "inbound stream");
}

asio::awaitable<void> StreamRouter::serve_stream(std::shared_ptr<HostCore> self,
                                                 std::shared_ptr<StreamState> state) {
  Stream stream(state);
  auto negotiator = Negotiator::listener(
      protocols(), [this](std::string_view p) { return handlers_.find(p) != handlers_.end(); });
  auto status =
      co_await negotiate_stream(stream, *state, negotiator, core_.config.negotiation_timeout);
  if (core_.destroyed) {  // the handlers belong to the owner
    stream.reset();
    co_return;
  }
  if (!status) {
    logger()->debug("inbound stream from {} not negotiated: {}", state->remote_peer.to_base58(),
                    status.error().describe());
    stream.reset();
    co_return;
  }
  auto it = handlers_.find(state->protocol);
  if (it == handlers_.end()) {
    stream.reset();
    co_return;
  }
  StreamHandler handler = it->second;  // a copy: the handler may be replaced meanwhile
  state.reset();
  co_await handler(std::move(stream));
}

asio::awaitable<util::Result<Stream>> StreamRouter::open(std::shared_ptr<Connection> conn,
                                                         std::vector<std::string> protocols) {
  if (protocols.empty()) co_return make_error(Errc::kInvalidArgument, "no protocol given");
  auto state = conn->open_stream();
  if (!state) co_return state.error();
  conn.reset();  // the stream holds the connection weakly, like every other stream
  Stream stream(*state);
  auto negotiator = Negotiator::dialer(std::move(protocols));
  auto status =
      co_await negotiate_stream(stream, **state, negotiator, core_.config.negotiation_timeout);
  if (!status) {
    stream.reset();
    co_return status.error();
  }
  co_return stream;
}

}  // namespace edgevpn::p2p::host
