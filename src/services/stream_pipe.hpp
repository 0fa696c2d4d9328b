// Copies bytes both ways between a TCP socket and a libp2p stream, with backpressure (each side
// reads only when the previous chunk was written), passing half-closes through, and aborting
// both sides (socket closed, stream reset) when either fails. A registry lets a service cut all
// of its pipes at once.
#pragma once

#include <asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "p2p/host/stream.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::services {

struct PipeTotals {
  uint64_t to_stream = 0;  // bytes read from the socket and written to the stream
  uint64_t to_socket = 0;  // bytes read from the stream and written to the socket
  bool aborted = false;    // ended by an error or an abort, not by both sides closing
};

class PipeRegistry;

struct PipeOptions {
  size_t buffer_size = 128 * 1024;
  std::string label;  // for the logs, e.g. "service web <- 12D3..."
  // Called once when both directions are done (or on abort).
  std::function<void(const PipeTotals&)> on_done;
};

// Starts the two copy loops in `tasks` (the service's) and returns at once. The pipe owns the
// socket and its stream handle until both directions end.
void start_pipe(task::TaskGroup& tasks, asio::ip::tcp::socket socket, p2p::host::Stream stream,
                PipeOptions options, const std::shared_ptr<PipeRegistry>& registry = nullptr);

// The live pipes of one service, to abort them when it stops.
class PipeRegistry {
 public:
  size_t size() const { return pipes_.size(); }
  void abort_all();

 private:
  friend struct PipeState;
  friend void start_pipe(task::TaskGroup&, asio::ip::tcp::socket, p2p::host::Stream, PipeOptions,
                         const std::shared_ptr<PipeRegistry>&);
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::weak_ptr<struct PipeState>> pipes_;
};

}  // namespace edgevpn::services
