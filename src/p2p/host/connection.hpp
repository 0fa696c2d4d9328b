// One upgraded libp2p connection: a TCP socket carrying Noise transport frames carrying a yamux
// session. Pumps socket <-> noise <-> yamux in batches (large reads, one encrypt + one write per
// flush) and exposes yamux streams to coroutines. Internal to the host; io_context thread only.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/host/async_signal.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/noise/noise_transport.hpp"
#include "p2p/yamux/yamux_session.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::task {
class TaskGroup;
}

namespace edgevpn::p2p::host {

class Connection;

enum class Direction { kInbound, kOutbound };

struct ConnectionInfo {
  crypto::PeerId remote_peer;
  std::optional<crypto::PublicKey> remote_key;
  Direction direction = Direction::kOutbound;
  asio::ip::tcp::endpoint local_endpoint;
  asio::ip::tcp::endpoint remote_endpoint;
  Multiaddr local_addr;
  Multiaddr remote_addr;
  uint64_t serial = 0;  // unique per host, to tell two connections to one peer apart
};

// Shared state of one stream: what Stream handles point to.
struct StreamState {
  explicit StreamState(const asio::any_io_executor& executor)
      : readable(executor), writable(executor) {}
  ~StreamState();

  std::weak_ptr<Connection> connection;
  crypto::PeerId remote_peer;
  Multiaddr remote_addr;
  uint32_t id = 0;
  std::string protocol;
  // Bytes that arrived with the multistream negotiation; read before the yamux buffer.
  util::Bytes pushback;
  size_t pushback_offset = 0;
  bool remote_closed = false;
  bool local_closed = false;
  bool reset = false;
  std::optional<util::Error> failure;  // the connection went away
  AsyncSignal readable;
  AsyncSignal writable;
};

// What a Connection reports to the host that owns it.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  virtual void on_inbound_stream(const std::shared_ptr<Connection>& connection,
                                 std::shared_ptr<StreamState> stream) = 0;
  virtual void on_connection_closed(Connection& connection, const util::Error& why) = 0;
  // The peer made us queue more answers than it reads: we stopped reading it until it does.
  virtual void on_reads_paused(Connection& connection) {}
};

struct ConnectionLimits {
  // Stop taking new writes while this much is queued or being written.
  size_t max_send_backlog = 2 * 1024 * 1024;
  size_t read_chunk = 256 * 1024;
  // Above writers' 2 x max_send_backlog by this much, the backlog is answers the peer made us
  // queue (pings, window updates, resets): it is read no further until it reads them.
  size_t max_answer_backlog = 1024 * 1024;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, noise::Transport transport, util::Bytes early_plaintext,
             ConnectionInfo info, yamux::Role role, const yamux::Config& config,
             ConnectionLimits limits, ConnectionObserver& observer);
  ~Connection();

  // Starts the read, write and keepalive loops in the owner's task group. Each loop holds the
  // connection; an exception escaping one fails the connection (and is logged by the group).
  void start(task::TaskGroup& tasks);

  util::Result<std::shared_ptr<StreamState>> open_stream();

  // Stream operations (see Stream for their contracts).
  asio::awaitable<util::Result<size_t>> read(const std::shared_ptr<StreamState>& stream,
                                             std::span<uint8_t> out);
  asio::awaitable<util::Result<size_t>> read_chunks(const std::shared_ptr<StreamState>& stream,
                                                    std::vector<util::Bytes>& out,
                                                    size_t max_bytes);
  asio::awaitable<util::Status> write(const std::shared_ptr<StreamState>& stream,
                                      util::ByteView data);
  util::Status close_stream(StreamState& stream);
  void reset_stream(StreamState& stream);
  // A Stream whose last handle went away: half-close it and discard what still arrives.
  void release_stream(uint32_t id, bool local_closed);

  // Sends GoAway, lets queued bytes go out (bounded wait), then closes the socket.
  asio::awaitable<void> close_gracefully(std::chrono::milliseconds timeout);
  // Closes at once; streams fail with `why`.
  void abort(util::Error why);

  bool closed() const { return closed_; }
  const ConnectionInfo& info() const { return info_; }
  const crypto::PeerId& remote_peer() const { return info_.remote_peer; }
  size_t stream_count() const { return session_.stream_count(); }
  const asio::any_io_executor& executor() const { return executor_; }

 private:
  asio::awaitable<void> read_loop(std::shared_ptr<Connection> self);
  asio::awaitable<void> write_loop(std::shared_ptr<Connection> self);
  asio::awaitable<void> keepalive_loop(std::shared_ptr<Connection> self);
  static asio::awaitable<void> supervise(std::shared_ptr<Connection> self,
                                         asio::awaitable<void> loop);
  // Hands decrypted bytes to yamux, then wakes streams and the writer (on error too).
  util::Status feed_plaintexts(std::span<const util::ByteView> plaintexts);
  void handle_events();
  void discard_orphan(uint32_t id);
  // Why a stream read cannot go on (reset, failed, connection closed), if it cannot.
  std::optional<util::Error> read_blocker(const StreamState& stream) const;
  // A yamux read error as the reader sees it: 0 at the end of the stream, else a reset.
  util::Result<size_t> read_end(const StreamState& stream, const util::Error& why);
  void sweep(uint32_t id);
  void request_flush() { flush_signal_.notify(); }
  size_t send_backlog() const { return session_.pending_output().size() + in_flight_; }
  void fail(util::Error why);

  asio::any_io_executor executor_;
  asio::ip::tcp::socket socket_;
  noise::Transport transport_;
  util::Bytes early_plaintext_;
  ConnectionInfo info_;
  yamux::Session session_;
  ConnectionLimits limits_;
  ConnectionObserver& observer_;
  // Streams by yamux ID; weak so a dropped Stream is noticed (its state's destructor).
  std::unordered_map<uint32_t, std::weak_ptr<StreamState>> streams_;
  AsyncSignal flush_signal_;
  AsyncSignal drained_;
  asio::steady_timer keepalive_timer_;
  size_t in_flight_ = 0;
  bool closed_ = false;
  bool writer_done_ = false;
};

}  // namespace edgevpn::p2p::host
