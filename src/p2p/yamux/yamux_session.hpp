// A yamux session as a sans-I/O state machine: feed it the bytes read from the connection,
// drain the bytes it wants written, poll its events, and drive streams with open/write/read/
// close/reset. No sockets, threads or clocks: time comes in as an argument.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <unordered_map>

#include "p2p/yamux/yamux_config.hpp"
#include "p2p/yamux/yamux_event.hpp"
#include "p2p/yamux/yamux_frame.hpp"
#include "p2p/yamux/yamux_stream.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::yamux {

class Session {
 public:
  explicit Session(Role role, Config config = {});

  Role role() const { return role_; }
  const Config& config() const { return config_; }

  // --- input -------------------------------------------------------------------------------
  // Feeds bytes read from the connection, in any chunking. A protocol violation queues
  // GoAway(protocol error), fails the session and returns the error (and every later call).
  // `now` is also the session's clock for window auto-tuning until the next call (or ping/
  // tick); on_bytes({}, now) just moves it.
  util::Status on_bytes(util::ByteView in, util::SteadyTime now);

  // Next event, oldest first; std::nullopt when there is none.
  std::optional<Event> next_event();

  // --- streams -----------------------------------------------------------------------------
  // Opens an outbound stream (odd IDs for clients, even for servers); the SYN goes out at once
  // as a window update. Fails with kClosed after a GoAway either way, kTooLarge beyond
  // max_outbound_streams or while max_ack_backlog streams wait for their ACK.
  util::Result<uint32_t> open_stream();

  // Queues up to data.size() bytes as data frames, bounded by the peer's window; returns how
  // many were taken. A short count means the window is exhausted: retry after kWritable.
  util::Result<size_t> write(uint32_t id, util::ByteView data);

  // Copies received bytes out and consumes them. 0 means nothing buffered yet. Errors:
  // kClosed when the peer finished and everything was read (EOF); kNotFound when the stream
  // is unknown (reset, or fully closed and drained: also EOF after kRemoteClosed).
  util::Result<size_t> read(uint32_t id, std::span<uint8_t> out);
  // Moves the oldest received chunk out (at most ReceiveBuffer::kChunkSize unless one frame
  // was larger) and consumes it: no copy. Empty when nothing is buffered; errors as read().
  util::Result<util::Bytes> take(uint32_t id);
  // Zero-copy reading: the first buffered chunk (valid until the next call on this session),
  // then consume() what was used. Consuming is what grants the peer more window.
  util::ByteView peek(uint32_t id) const;
  util::Status consume(uint32_t id, size_t n);

  // Half-close: sends FIN; the stream can still read.
  util::Status close(uint32_t id);
  // Sends RST and forgets the stream and its unread data.
  util::Status reset(uint32_t id);

  // --- session -----------------------------------------------------------------------------
  // Sends GoAway(code): no new streams either way; existing streams go on.
  void go_away(GoAwayCode code = GoAwayCode::kNormal);
  // Sends a ping (or joins the one in flight) and returns its opaque value; the answer
  // arrives as kPingRtt and updates rtt(), which auto-tuning uses.
  uint32_t ping(util::SteadyTime now);
  // Keepalive: pings every keepalive_interval; kTimeout when a ping went unanswered for
  // ping_timeout. Cheap; call it at next_deadline().
  util::Status tick(util::SteadyTime now);
  std::optional<util::SteadyTime> next_deadline() const;

  // --- output ------------------------------------------------------------------------------
  // Bytes to write to the connection, all queued frames back to back.
  util::ByteView pending_output() const {
    return {out_.data() + out_head_, out_.size() - out_head_};
  }
  void consume_output(size_t n);
  // Moves all pending output into `out` (swapping buffers, no copy when nothing was consumed
  // partially); `out`'s old capacity is reused for later frames.
  void take_output(util::Bytes& out);
  bool has_output() const { return out_head_ < out_.size(); }

  // --- introspection -----------------------------------------------------------------------
  bool has_stream(uint32_t id) const { return streams_.count(id) != 0; }
  size_t stream_count() const { return streams_.size(); }
  size_t inbound_stream_count() const { return inbound_count_; }
  size_t outbound_stream_count() const { return outbound_count_; }
  size_t ack_backlog() const { return unacknowledged_; }
  std::optional<uint32_t> send_window(uint32_t id) const;
  std::optional<uint32_t> receive_window(uint32_t id) const;  // current target window
  size_t buffered(uint32_t id) const;
  std::optional<std::chrono::nanoseconds> rtt() const { return rtt_; }
  bool failed() const { return failure_.has_value(); }
  bool local_go_away() const { return local_go_away_; }
  std::optional<uint32_t> remote_go_away() const { return remote_go_away_; }
  // True once the session cannot carry data any more (our violation or a peer error GoAway).
  bool closed() const { return failed() || (remote_go_away_ && *remote_go_away_ != 0); }

 private:
  enum class InputState : uint8_t { kHeader, kPayload };

  util::Status handle_header(const FrameHeader& header);
  util::Status handle_stream_frame(const FrameHeader& header);
  util::Status handle_ping(const FrameHeader& header);
  void handle_go_away(const FrameHeader& header);
  util::Status accept_inbound(uint32_t id, Stream*& stream);
  void take_payload(util::ByteView chunk);
  void finish_frame();
  void apply_close_flags(uint32_t id, uint16_t flags);

  util::Error fail(util::Errc code, std::string message);
  Stream* find(uint32_t id);
  const Stream* find(uint32_t id) const;
  util::Result<Stream*> writable_stream(uint32_t id);
  // A stream with unread bytes; nullptr while it has none; kClosed at its end, kNotFound unknown.
  util::Result<Stream*> stream_with_data(uint32_t id);
  bool is_local_id(uint32_t id) const { return (id % 2 == 1) == (role_ == Role::kClient); }
  bool is_known_closed_id(uint32_t id) const;
  void remove_stream(uint32_t id);
  void remove_if_finished(Stream& stream);
  void after_consume(Stream& stream);
  void emit(Event::Kind kind, uint32_t id, uint32_t code = 0);
  void send_control(FrameType type, uint16_t flags, uint32_t id, uint32_t length);

  Role role_;
  Config config_;

  std::unordered_map<uint32_t, Stream> streams_;
  size_t inbound_count_ = 0;
  size_t outbound_count_ = 0;
  size_t unacknowledged_ = 0;  // outbound streams still waiting for the peer's ACK
  uint64_t total_window_ = 0;  // sum of receive_window over streams
  uint32_t next_local_id_;
  uint32_t highest_remote_id_ = 0;

  // Frame parsing across on_bytes calls.
  InputState input_state_ = InputState::kHeader;
  uint8_t header_bytes_[kHeaderSize] = {};
  size_t header_have_ = 0;
  FrameHeader frame_;
  uint32_t payload_left_ = 0;
  bool payload_discard_ = false;
  util::SteadyTime now_{};

  std::deque<Event> events_;
  util::Bytes out_;
  size_t out_head_ = 0;

  std::optional<util::Error> failure_;
  bool local_go_away_ = false;
  std::optional<uint32_t> remote_go_away_;

  std::optional<uint32_t> ping_in_flight_;
  util::SteadyTime ping_sent_at_{};
  util::SteadyTime last_ping_at_{};
  bool keepalive_started_ = false;
  uint32_t next_ping_id_ = 1;
  std::optional<std::chrono::nanoseconds> rtt_;
};

}  // namespace edgevpn::p2p::yamux
