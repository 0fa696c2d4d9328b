// The two copy loops of a socket <-> stream pipe.
#include "services/stream_pipe.hpp"

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <optional>
#include <vector>

#include "util/log/log.hpp"

namespace edgevpn::services {

struct PipeState {
  PipeState(asio::ip::tcp::socket s, p2p::host::Stream st, PipeOptions o)
      : socket(std::move(s)), stream(std::move(st)), options(std::move(o)) {}
  ~PipeState() {
    asio::error_code ignored;
    socket.close(ignored);
    if (registry_entry) {
      if (auto owner = registry.lock()) owner->pipes_.erase(*registry_entry);
    }
    if (options.on_done) options.on_done(totals);
  }

  void abort() {
    if (totals.aborted) return;
    totals.aborted = true;
    asio::error_code ignored;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    stream.reset();
  }

  asio::ip::tcp::socket socket;
  p2p::host::Stream stream;
  PipeOptions options;
  PipeTotals totals;
  std::weak_ptr<PipeRegistry> registry;
  std::optional<uint64_t> registry_entry;
};

namespace {

asio::awaitable<void> socket_to_stream(std::shared_ptr<PipeState> pipe) {
  std::vector<uint8_t> buffer(pipe->options.buffer_size);
  for (;;) {
    asio::error_code ec;
    const size_t n = co_await pipe->socket.async_read_some(
        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (pipe->totals.aborted) co_return;
    if (ec == asio::error::eof) {
      (void)pipe->stream.close();  // half-close: the far side sees the end, answers still flow
      co_return;
    }
    if (ec) {
      log::get("services")->debug("{}: socket read: {}", pipe->options.label, ec.message());
      pipe->abort();
      co_return;
    }
    auto status = co_await pipe->stream.write_all(util::ByteView(buffer.data(), n));
    if (pipe->totals.aborted) co_return;
    if (!status) {
      log::get("services")->debug("{}: stream write: {}", pipe->options.label,
                                  status.error().describe());
      pipe->abort();
      co_return;
    }
    pipe->totals.to_stream += n;
  }
}

// Received chunks go to the socket as they are (one gather write per batch), never copied.
asio::awaitable<void> stream_to_socket(std::shared_ptr<PipeState> pipe) {
  std::vector<util::Bytes> chunks;
  std::vector<asio::const_buffer> buffers;
  for (;;) {
    chunks.clear();
    auto read = co_await pipe->stream.read_chunks(chunks, pipe->options.buffer_size);
    if (pipe->totals.aborted) co_return;
    if (!read) {
      log::get("services")->debug("{}: stream read: {}", pipe->options.label,
                                  read.error().describe());
      pipe->abort();
      co_return;
    }
    if (*read == 0) {
      asio::error_code ignored;
      pipe->socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      co_return;
    }
    buffers.clear();
    for (const auto& chunk : chunks) buffers.emplace_back(chunk.data(), chunk.size());
    asio::error_code ec;
    co_await asio::async_write(pipe->socket, buffers,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (pipe->totals.aborted) co_return;
    if (ec) {
      log::get("services")->debug("{}: socket write: {}", pipe->options.label, ec.message());
      pipe->abort();
      co_return;
    }
    pipe->totals.to_socket += *read;
  }
}

}  // namespace

void start_pipe(task::TaskGroup& tasks, asio::ip::tcp::socket socket, p2p::host::Stream stream,
                PipeOptions options, const std::shared_ptr<PipeRegistry>& registry) {
  asio::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  auto pipe = std::make_shared<PipeState>(std::move(socket), std::move(stream), std::move(options));
  if (registry) {
    const uint64_t id = registry->next_id_++;
    registry->pipes_[id] = pipe;
    pipe->registry = registry;
    pipe->registry_entry = id;
  }
  tasks.spawn(socket_to_stream(pipe), "pipe to stream");
  tasks.spawn(stream_to_socket(std::move(pipe)), "pipe to socket");
}

void PipeRegistry::abort_all() {
  // Aborting ends the loops later; copy first, the map changes as pipes finish.
  std::vector<std::shared_ptr<PipeState>> live;
  for (auto& [id, weak] : pipes_) {
    if (auto pipe = weak.lock()) live.push_back(std::move(pipe));
  }
  for (auto& pipe : live) pipe->abort();
}

}  // namespace edgevpn::services
