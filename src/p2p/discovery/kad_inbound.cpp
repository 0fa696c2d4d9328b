// InboundRequests: serving DHT requests on inbound streams (server mode).
#include "p2p/discovery/kad_core.hpp"
#include "p2p/discovery/kad_wire.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using util::Errc;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.kad");
  return log;
}

}  // namespace

asio::awaitable<void> InboundRequests::serve_entry(std::shared_ptr<KadCore> self,
                                                   host::Stream stream) {
  if (!self || self->stopped) {
    stream.reset();
    co_return;
  }
  co_await self->inbound.serve(self, std::move(stream));
}

void InboundRequests::reset_all() {
  for (auto& stream : open_) stream.reset();
}

asio::awaitable<void> InboundRequests::serve(std::shared_ptr<KadCore> self, host::Stream stream) {
  // Listed while served (stop() resets them), also when serving ends by an exception.
  struct Listed {
    ~Listed() { list->erase(position); }
    std::list<host::Stream>* list;
    std::list<host::Stream>::iterator position;
  } listed{&open_, open_.insert(open_.end(), stream)};
  util::Bytes buffer;
  for (;;) {
    auto request = co_await read_message(stream, buffer, core_.config.max_message_size,
                                         core_.config.stream_idle_timeout);
    if (!request) {
      if (is_bad_frame(request.error().code)) {
        ++core_.stats.bad_frames;
        logger()->debug("bad DHT frame from {}: {}", stream.remote_peer().to_base58(),
                        request.error().describe());
        stream.reset();
      } else if (request.error().code == Errc::kClosed && !stream.is_reset()) {
        (void)stream.close();
      } else {
        stream.reset();
      }
      break;
    }
    if (core_.stopped) {
      stream.reset();
      break;
    }
    auto response = core_.server.handle_request(*request, stream.remote_peer(),
                                                std::chrono::steady_clock::now());
    if (!response) {
      ++core_.stats.requests_rejected;
      stream.reset();
      break;
    }
    ++core_.stats.requests_served;
    if (*response) {
      if (!(co_await stream.write_all(kad::encode_framed(**response)))) break;
    }
  }
}

}  // namespace edgevpn::p2p::discovery
