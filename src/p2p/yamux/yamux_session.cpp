// Yamux session state machine: frame parsing across chunks, stream lifecycle, flow control
// with window auto-tuning, ping and GoAway. Behaviour follows go-libp2p's go-yamux where the
// spec is silent (see comments).
#include "p2p/yamux/yamux_session.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

namespace edgevpn::p2p::yamux {

using util::Errc;
using util::make_error;

namespace {

// consume_output() moves the unsent tail to the front once this much was sent from a buffer.
constexpr size_t kCompactOutputAt = size_t{64} * 1024;

uint32_t clamp_initial_window(const Config& config) {
  return std::max(config.initial_window, kInitialWindow);
}

}  // namespace

Session::Session(Role role, Config config)
    : role_(role), config_(config), next_local_id_(role == Role::kClient ? 1 : 2) {
  config_.initial_window = clamp_initial_window(config_);
  config_.max_window = std::max(config_.max_window, config_.initial_window);
  config_.max_frame_payload = std::max<uint32_t>(config_.max_frame_payload, 1);
}

// --- input ---------------------------------------------------------------------------------

util::Status Session::on_bytes(util::ByteView in, util::SteadyTime now) {
  if (failure_) return *failure_;
  now_ = now;
  size_t pos = 0;
  while (pos < in.size()) {
    if (input_state_ == InputState::kHeader) {
      util::ByteView header_view;
      if (header_have_ == 0 && in.size() - pos >= kHeaderSize) {
        header_view = in.subspan(pos, kHeaderSize);  // whole header in this chunk: no copy
        pos += kHeaderSize;
      } else {
        const size_t take = std::min(kHeaderSize - header_have_, in.size() - pos);
        std::memcpy(header_bytes_ + header_have_, in.data() + pos, take);
        header_have_ += take;
        pos += take;
        if (header_have_ < kHeaderSize) break;
        header_have_ = 0;
        header_view = util::ByteView(header_bytes_, kHeaderSize);
      }
      auto header = decode_header(header_view);
      if (!header.ok()) return fail(header.error().code, header.error().message);
      EDGEVPN_TRY(handle_header(*header));
    } else {
      const size_t take = std::min<size_t>(payload_left_, in.size() - pos);
      take_payload(in.subspan(pos, take));
      pos += take;
      payload_left_ -= static_cast<uint32_t>(take);
      if (payload_left_ == 0) {
        input_state_ = InputState::kHeader;
        finish_frame();
      }
    }
  }
  return {};
}

util::Status Session::handle_header(const FrameHeader& header) {
  switch (header.type) {
    case FrameType::kData:
    case FrameType::kWindowUpdate: return handle_stream_frame(header);
    case FrameType::kPing: return handle_ping(header);
    case FrameType::kGoAway: handle_go_away(header); return {};
  }
  return fail(Errc::kMalformed, "unknown yamux frame type");
}

util::Status Session::handle_stream_frame(const FrameHeader& header) {
  const uint32_t id = header.stream_id;
  if (id == 0) {
    return fail(Errc::kProtocol, std::string(frame_type_name(header.type)) + " frame on stream 0");
  }
  Stream* stream = find(id);
  if (header.has(kFlagSyn)) {
    if (is_local_id(id)) {
      return fail(Errc::kProtocol, "SYN for stream " + std::to_string(id) + " of our parity");
    }
    if (stream != nullptr) {
      return fail(Errc::kProtocol, "duplicate SYN for stream " + std::to_string(id));
    }
    EDGEVPN_TRY(accept_inbound(id, stream));
  } else if (stream == nullptr && !is_known_closed_id(id)) {
    return fail(Errc::kProtocol, "frame for unknown stream " + std::to_string(id));
  }
  // A frame for a stream we already closed or reset (or refused) is dropped, as go-yamux and
  // js-yamux do: the peer may have sent it before it saw our RST/FIN.
  if (stream != nullptr && header.has(kFlagAck) && stream->outbound && !stream->acknowledged) {
    stream->acknowledged = true;
    --unacknowledged_;
  }

  if (header.type == FrameType::kWindowUpdate) {
    if (stream != nullptr) {
      const uint64_t window = uint64_t{stream->send_window} + header.length;
      if (window > std::numeric_limits<uint32_t>::max()) {
        return fail(Errc::kProtocol, "send window overflow on stream " + std::to_string(id));
      }
      stream->send_window = static_cast<uint32_t>(window);
      if (stream->write_blocked && window > 0) {
        stream->write_blocked = false;
        if (!stream->local_closed) emit(Event::Kind::kWritable, id);
      }
    }
    apply_close_flags(id, header.flags);
    return {};
  }

  // Data frame.
  frame_ = header;
  payload_discard_ = stream == nullptr || stream->remote_closed;
  if (stream != nullptr) {
    // The credit shrinks as the payload arrives (take_payload): bytes still on their way must
    // not look consumed, or a read in the middle of a frame would grant them twice.
    if (header.length > stream->receive_credit) {
      return fail(Errc::kProtocol, "data of " + std::to_string(header.length) +
                                       " bytes exceeds the receive window on stream " +
                                       std::to_string(id));
    }
  }
  payload_left_ = header.length;
  if (payload_left_ == 0) {
    finish_frame();
  } else {
    input_state_ = InputState::kPayload;
  }
  return {};
}

util::Status Session::accept_inbound(uint32_t id, Stream*& stream) {
  stream = nullptr;
  highest_remote_id_ = std::max(highest_remote_id_, id);
  if (local_go_away_ || closed() || inbound_count_ >= config_.max_inbound_streams) {
    // go-yamux and js-yamux refuse with RST and keep the session.
    send_control(FrameType::kWindowUpdate, kFlagRst, id, 0);
    return {};
  }
  Stream& created = streams_[id];
  created.id = id;
  created.outbound = false;
  created.receive_window = config_.initial_window;
  created.receive_credit = config_.initial_window;
  created.window_epoch = now_;
  ++inbound_count_;
  total_window_ += created.receive_window;
  // ACK at once (as go-yamux's accept does): the opener counts unacknowledged SYNs.
  send_control(FrameType::kWindowUpdate, kFlagAck, id, config_.initial_window - kInitialWindow);
  emit(Event::Kind::kStreamOpened, id);
  stream = &created;
  return {};
}

void Session::take_payload(util::ByteView chunk) {
  if (chunk.empty()) return;
  Stream* stream = find(frame_.stream_id);
  if (stream == nullptr) return;  // reset locally while its frame was arriving
  stream->receive_credit -= static_cast<uint32_t>(chunk.size());
  if (payload_discard_) return;
  stream->received.append(chunk);
  if (!stream->readable_event_pending) {
    stream->readable_event_pending = true;
    emit(Event::Kind::kReadable, stream->id);
  }
}

// FIN and RST take effect after the frame's payload, so data sent with FIN is readable.
void Session::finish_frame() {
  apply_close_flags(frame_.stream_id, frame_.flags);
}

void Session::apply_close_flags(uint32_t id, uint16_t flags) {
  if ((flags & (kFlagFin | kFlagRst)) == 0) return;
  Stream* stream = find(id);
  if (stream == nullptr) return;
  if ((flags & kFlagRst) != 0) {
    remove_stream(id);
    emit(Event::Kind::kStreamReset, id);
    return;
  }
  if (!stream->remote_closed) {
    stream->remote_closed = true;
    emit(Event::Kind::kRemoteClosed, id);
    remove_if_finished(*stream);
  }
}

util::Status Session::handle_ping(const FrameHeader& header) {
  if (header.has(kFlagSyn)) {
    send_control(FrameType::kPing, kFlagAck, 0, header.length);
  } else if (header.has(kFlagAck) && ping_in_flight_ && *ping_in_flight_ == header.length) {
    // Unmatched answers are ignored (go-yamux does too).
    ping_in_flight_.reset();
    const auto rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(now_ - ping_sent_at_);
    rtt_ = std::max(rtt, std::chrono::nanoseconds(0));
    events_.push_back(Event{Event::Kind::kPingRtt, 0, header.length, *rtt_});
  }
  return {};
}

void Session::handle_go_away(const FrameHeader& header) {
  // Normal termination only stops new streams (go-yamux); error codes end the session.
  remote_go_away_ = header.length;
  emit(Event::Kind::kGoAway, 0, header.length);
}

util::Error Session::fail(Errc code, std::string message) {
  if (!failure_) {
    send_control(FrameType::kGoAway, 0, 0, static_cast<uint32_t>(GoAwayCode::kProtocolError));
    failure_ = make_error(code, "yamux: " + std::move(message));
  }
  return *failure_;
}

std::optional<Event> Session::next_event() {
  if (events_.empty()) return std::nullopt;
  Event event = events_.front();
  events_.pop_front();
  if (event.kind == Event::Kind::kReadable) {
    if (Stream* stream = find(event.stream_id)) stream->readable_event_pending = false;
  }
  return event;
}

// --- streams -------------------------------------------------------------------------------

util::Result<uint32_t> Session::open_stream() {
  if (failure_) return *failure_;
  if (local_go_away_ || remote_go_away_) {
    return make_error(Errc::kClosed, "yamux session is going away");
  }
  if (outbound_count_ >= config_.max_outbound_streams) {
    return make_error(Errc::kTooLarge, "too many outbound yamux streams");
  }
  if (unacknowledged_ >= config_.max_ack_backlog) {
    return make_error(Errc::kTooLarge, "yamux ACK backlog full");
  }
  if (next_local_id_ >= std::numeric_limits<uint32_t>::max() - 1) {
    return make_error(Errc::kTooLarge, "yamux stream IDs exhausted");
  }
  const uint32_t id = next_local_id_;
  next_local_id_ += 2;
  Stream& stream = streams_[id];
  stream.id = id;
  stream.outbound = true;
  stream.receive_window = config_.initial_window;
  stream.receive_credit = config_.initial_window;
  stream.window_epoch = now_;
  ++outbound_count_;
  ++unacknowledged_;
  total_window_ += stream.receive_window;
  send_control(FrameType::kWindowUpdate, kFlagSyn, id, config_.initial_window - kInitialWindow);
  return id;
}

util::Result<Stream*> Session::writable_stream(uint32_t id) {
  if (failure_) return *failure_;
  if (closed()) return make_error(Errc::kClosed, "yamux session closed by the peer");
  Stream* stream = find(id);
  if (stream == nullptr) {
    return make_error(Errc::kNotFound, "no yamux stream " + std::to_string(id));
  }
  if (stream->local_closed) {
    return make_error(Errc::kClosed, "yamux stream " + std::to_string(id) + " closed for writing");
  }
  return stream;
}

util::Result<size_t> Session::write(uint32_t id, util::ByteView data) {
  EDGEVPN_TRY_ASSIGN(stream, writable_stream(id));
  const size_t accepted = std::min<size_t>(data.size(), stream->send_window);
  size_t offset = 0;
  while (offset < accepted) {
    const size_t chunk = std::min<size_t>(accepted - offset, config_.max_frame_payload);
    append_header(out_, FrameHeader{FrameType::kData, 0, id, static_cast<uint32_t>(chunk)});
    out_.insert(out_.end(), data.begin() + static_cast<std::ptrdiff_t>(offset),
                data.begin() + static_cast<std::ptrdiff_t>(offset + chunk));
    offset += chunk;
  }
  stream->send_window -= static_cast<uint32_t>(accepted);
  if (accepted < data.size()) stream->write_blocked = true;
  return accepted;
}

util::Result<Stream*> Session::stream_with_data(uint32_t id) {
  Stream* stream = find(id);
  if (stream == nullptr) {
    return make_error(Errc::kNotFound, "no yamux stream " + std::to_string(id));
  }
  if (!stream->received.empty()) return stream;
  if (stream->remote_closed) return make_error(Errc::kClosed, "end of yamux stream");
  return nullptr;
}

util::Result<size_t> Session::read(uint32_t id, std::span<uint8_t> out) {
  EDGEVPN_TRY_ASSIGN(stream, stream_with_data(id));
  if (stream == nullptr) return size_t{0};
  const size_t n = stream->received.read(out);
  after_consume(*stream);
  return n;
}

util::Result<util::Bytes> Session::take(uint32_t id) {
  EDGEVPN_TRY_ASSIGN(stream, stream_with_data(id));
  if (stream == nullptr) return util::Bytes{};
  util::Bytes chunk = stream->received.take_front();
  after_consume(*stream);
  return chunk;
}

util::ByteView Session::peek(uint32_t id) const {
  const Stream* stream = find(id);
  return stream == nullptr ? util::ByteView() : stream->received.view();
}

util::Status Session::consume(uint32_t id, size_t n) {
  Stream* stream = find(id);
  if (stream == nullptr) {
    return make_error(Errc::kNotFound, "no yamux stream " + std::to_string(id));
  }
  if (n > stream->received.size()) {
    return make_error(Errc::kInvalidArgument, "consuming more than is buffered");
  }
  stream->received.consume(n);
  after_consume(*stream);
  return {};
}

// Grants the peer the consumed bytes once they reach half the window (go-yamux), doubling
// the window when the previous grant is less than ~4 RTTs old: the reader keeps up and the
// window, not the reader, limits throughput.
void Session::after_consume(Stream& stream) {
  if (!stream.remote_closed && !closed()) {
    uint32_t delta = stream.unannounced_window();
    if (delta >= stream.receive_window / 2 && delta > 0) {
      if (config_.auto_tune && stream.receive_window < config_.max_window) {
        const auto rtt = rtt_.value_or(config_.assumed_rtt);
        if (now_ - stream.window_epoch < 4 * rtt) {
          const auto grown = static_cast<uint32_t>(
              std::min<uint64_t>(uint64_t{stream.receive_window} * 2, config_.max_window));
          const uint32_t growth = grown - stream.receive_window;
          if (total_window_ + growth <= config_.max_total_window) {
            stream.receive_window = grown;
            total_window_ += growth;
            delta += growth;
          }
        }
      }
      stream.window_epoch = now_;
      stream.receive_credit += delta;
      send_control(FrameType::kWindowUpdate, 0, stream.id, delta);
    }
  }
  remove_if_finished(stream);
}

util::Status Session::close(uint32_t id) {
  Stream* stream = find(id);
  if (stream == nullptr) {
    return make_error(Errc::kNotFound, "no yamux stream " + std::to_string(id));
  }
  if (stream->local_closed) return {};
  stream->local_closed = true;
  stream->write_blocked = false;
  send_control(FrameType::kWindowUpdate, kFlagFin, id, 0);
  remove_if_finished(*stream);
  return {};
}

util::Status Session::reset(uint32_t id) {
  if (find(id) == nullptr) {
    return make_error(Errc::kNotFound, "no yamux stream " + std::to_string(id));
  }
  send_control(FrameType::kWindowUpdate, kFlagRst, id, 0);
  remove_stream(id);
  return {};
}

// --- session -------------------------------------------------------------------------------

void Session::go_away(GoAwayCode code) {
  if (local_go_away_ || failure_) return;
  local_go_away_ = true;
  send_control(FrameType::kGoAway, 0, 0, static_cast<uint32_t>(code));
}

uint32_t Session::ping(util::SteadyTime now) {
  if (ping_in_flight_) return *ping_in_flight_;
  const uint32_t id = next_ping_id_++;
  send_control(FrameType::kPing, kFlagSyn, 0, id);
  ping_in_flight_ = id;
  ping_sent_at_ = now;
  last_ping_at_ = now;
  return id;
}

util::Status Session::tick(util::SteadyTime now) {
  if (failure_) return *failure_;
  if (config_.keepalive_interval.count() <= 0) return {};
  if (ping_in_flight_) {
    if (now - ping_sent_at_ >= config_.ping_timeout) {
      return make_error(Errc::kTimeout, "yamux keepalive ping unanswered");
    }
    return {};
  }
  if (!keepalive_started_) {
    keepalive_started_ = true;
    last_ping_at_ = now;
  } else if (now - last_ping_at_ >= config_.keepalive_interval) {
    ping(now);
  }
  return {};
}

std::optional<util::SteadyTime> Session::next_deadline() const {
  if (config_.keepalive_interval.count() <= 0 || failure_) return std::nullopt;
  if (ping_in_flight_) {
    return ping_sent_at_ +
           std::chrono::duration_cast<util::SteadyTime::duration>(config_.ping_timeout);
  }
  if (!keepalive_started_) return util::SteadyTime{};  // call tick() now to start
  return last_ping_at_ +
         std::chrono::duration_cast<util::SteadyTime::duration>(config_.keepalive_interval);
}

// --- output --------------------------------------------------------------------------------

void Session::consume_output(size_t n) {
  out_head_ += std::min(n, out_.size() - out_head_);
  if (out_head_ == out_.size()) {
    out_.clear();
    out_head_ = 0;
  } else if (out_head_ >= kCompactOutputAt && out_head_ >= out_.size() / 2) {
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_head_));
    out_head_ = 0;
  }
}

void Session::take_output(util::Bytes& out) {
  if (out_head_ == 0) {
    out.clear();
    out.swap(out_);
  } else {
    out.assign(out_.begin() + static_cast<std::ptrdiff_t>(out_head_), out_.end());
    out_.clear();
    out_head_ = 0;
  }
}

// --- helpers -------------------------------------------------------------------------------

std::optional<uint32_t> Session::send_window(uint32_t id) const {
  const Stream* stream = find(id);
  if (stream == nullptr) return std::nullopt;
  return stream->send_window;
}

std::optional<uint32_t> Session::receive_window(uint32_t id) const {
  const Stream* stream = find(id);
  if (stream == nullptr) return std::nullopt;
  return stream->receive_window;
}

size_t Session::buffered(uint32_t id) const {
  const Stream* stream = find(id);
  return stream == nullptr ? 0 : stream->received.size();
}

Stream* Session::find(uint32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

const Stream* Session::find(uint32_t id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

bool Session::is_known_closed_id(uint32_t id) const {
  return is_local_id(id) ? id < next_local_id_ : id <= highest_remote_id_;
}

void Session::remove_stream(uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  if (it->second.outbound) {
    --outbound_count_;
    if (!it->second.acknowledged) --unacknowledged_;
  } else {
    --inbound_count_;
  }
  total_window_ -= it->second.receive_window;
  streams_.erase(it);
}

void Session::remove_if_finished(Stream& stream) {
  if (stream.finished()) remove_stream(stream.id);
}

void Session::emit(Event::Kind kind, uint32_t id, uint32_t code) {
  events_.push_back(Event{kind, id, code, std::chrono::nanoseconds(0)});
}

void Session::send_control(FrameType type, uint16_t flags, uint32_t id, uint32_t length) {
  if (failure_) return;  // nothing follows our GoAway(protocol error)
  append_header(out_, FrameHeader{type, flags, id, length});
}

}  // namespace edgevpn::p2p::yamux
