// DCUtR state machines: address filtering, RTT measurement, SYNC timing and retries.
#include "p2p/holepunch/hole_punch.hpp"

#include <algorithm>

#include "p2p/relay/relay_message.hpp"

namespace edgevpn::p2p::holepunch {
namespace {

std::vector<Multiaddr> unique(std::vector<Multiaddr> addrs) {
  std::vector<Multiaddr> out;
  for (auto& addr : addrs) {
    if (std::ranges::find(out, addr) == out.end()) out.push_back(std::move(addr));
  }
  return out;
}

HolePunchMessage connect_message(const std::vector<Multiaddr>& addrs) {
  return HolePunchMessage{MessageType::kConnect, addrs};
}

}  // namespace

std::vector<Multiaddr> local_punch_addrs(const std::vector<Multiaddr>& addrs) {
  std::vector<Multiaddr> out;
  for (const auto& addr : addrs) {
    if (!relay::is_relay_address(addr) && addr.is_public()) out.push_back(addr);
  }
  return unique(std::move(out));
}

std::vector<Multiaddr> remote_punch_addrs(const std::vector<Multiaddr>& addrs) {
  std::vector<Multiaddr> out;
  for (const auto& addr : addrs) {
    if (!relay::is_relay_address(addr)) out.push_back(addr);
  }
  return unique(std::move(out));
}

bool worth_direct_dial(const std::vector<Multiaddr>& known_addrs) {
  return std::ranges::any_of(known_addrs, [](const Multiaddr& addr) {
    return !relay::is_relay_address(addr) && addr.is_public();
  });
}

// --- Initiator ---

Step Initiator::fail(std::string reason) {
  state_ = State::kFailed;
  Step step;
  step.outcome = Outcome::kFailed;
  step.error = std::move(reason);
  return step;
}

Step Initiator::next_attempt() {
  ++attempt_;
  state_ = State::kOpeningStream;
  Step step;
  step.open_stream = true;
  return step;
}

Step Initiator::start(const std::vector<Multiaddr>& known_peer_addrs, util::SteadyTime now) {
  if (state_ != State::kIdle) return fail("hole punch started twice");
  connect_sent_at_ = now;  // the stream timeout also bounds opening the stream
  if (!worth_direct_dial(known_peer_addrs)) return next_attempt();
  state_ = State::kDirectDialing;
  Step step;
  step.dial = Dial{remote_punch_addrs(known_peer_addrs), now, false, true, 0};
  return step;
}

Step Initiator::on_stream_opened(const std::vector<Multiaddr>& our_addrs, util::SteadyTime now) {
  if (state_ != State::kOpeningStream) return fail("hole punch stream opened out of turn");
  const auto offered = local_punch_addrs(our_addrs);
  if (offered.empty()) {
    Step step = fail("no public address to offer for a hole punch");
    step.reset_stream = true;
    return step;
  }
  state_ = State::kAwaitingConnect;
  connect_sent_at_ = now;
  Step step;
  step.send = encode_framed(connect_message(offered));
  return step;
}

Step Initiator::on_stream_failed(std::string_view reason) {
  if (state_ == State::kSucceeded || state_ == State::kFailed) return Step{};
  Step step = fail("hole punch stream: " + std::string(reason));
  step.reset_stream = true;
  return step;
}

Step Initiator::on_message(const HolePunchMessage& message, util::SteadyTime now) {
  if (state_ != State::kAwaitingConnect) {
    Step step = fail("hole punch message out of turn");
    step.reset_stream = true;
    return step;
  }
  if (message.type != MessageType::kConnect) {
    Step step = fail("expected CONNECT from the peer, got SYNC");
    step.reset_stream = true;
    return step;
  }
  rtt_ = now - connect_sent_at_;
  auto peer_addrs = remote_punch_addrs(message.observed_addrs);
  if (peer_addrs.empty()) {
    Step step = fail("the peer's CONNECT has no address to dial");
    step.reset_stream = true;
    return step;
  }
  state_ = State::kPunching;
  Step step;
  step.send = encode_framed(HolePunchMessage{MessageType::kSync, {}});
  step.close_stream = true;
  // The SYNC reaches the peer after about RTT/2, and the peer dials at once: dialing then makes
  // the two SYNs cross. go-libp2p v0.48 is the server of the simultaneous open on the first
  // attempts and a client on the last, for peers (go before v0.41) that had the roles reversed.
  const bool as_client = attempt_ >= config_.max_attempts;
  step.dial = Dial{std::move(peer_addrs), now + *rtt_ / 2, true, as_client, attempt_};
  return step;
}

Step Initiator::on_dial_result(bool connected, util::SteadyTime now) {
  if (state_ != State::kDirectDialing && state_ != State::kPunching) {
    return fail("dial result out of turn");
  }
  if (connected) {
    state_ = State::kSucceeded;
    Step step;
    step.outcome = Outcome::kSucceeded;
    return step;
  }
  if (state_ == State::kPunching && attempt_ >= config_.max_attempts) {
    return fail("all " + std::to_string(config_.max_attempts) + " hole punch attempts failed");
  }
  connect_sent_at_ = now;
  return next_attempt();
}

Step Initiator::tick(util::SteadyTime now) {
  const auto deadline = next_deadline();
  if (!deadline || now < *deadline) return Step{};
  Step step = fail("the peer's CONNECT did not come in time");
  step.reset_stream = true;
  return step;
}

std::optional<util::SteadyTime> Initiator::next_deadline() const {
  if (state_ != State::kOpeningStream && state_ != State::kAwaitingConnect) return std::nullopt;
  return connect_sent_at_ + config_.stream_timeout;
}

// --- Receiver ---

Step Receiver::fail(std::string reason) {
  state_ = State::kFailed;
  Step step;
  step.outcome = Outcome::kFailed;
  step.reset_stream = true;
  step.error = std::move(reason);
  return step;
}

Step Receiver::on_stream(bool connection_is_relayed, bool we_dialed_the_connection,
                         const std::vector<Multiaddr>& our_addrs, util::SteadyTime now) {
  if (state_ != State::kIdle) return fail("hole punch stream handled twice");
  // Only the peer that received a relayed connection from us starts a hole punch.
  if (!connection_is_relayed) return fail("hole punch stream over a direct connection");
  if (!we_dialed_the_connection) return fail("hole punch stream from the side we relayed to");
  our_addrs_ = local_punch_addrs(our_addrs);
  if (our_addrs_.empty()) return fail("no public address to offer for a hole punch");
  state_ = State::kAwaitingConnect;
  deadline_ = now + config_.stream_timeout;
  return Step{};
}

Step Receiver::on_message(const HolePunchMessage& message, util::SteadyTime now) {
  if (state_ == State::kAwaitingConnect) {
    if (message.type != MessageType::kConnect) return fail("expected CONNECT, got SYNC");
    peer_addrs_ = remote_punch_addrs(message.observed_addrs);
    if (peer_addrs_.empty()) return fail("the peer's CONNECT has no address to dial");
    state_ = State::kAwaitingSync;
    connect_sent_at_ = now;
    Step step;
    step.send = encode_framed(connect_message(our_addrs_));
    return step;
  }
  if (state_ == State::kAwaitingSync) {
    if (message.type != MessageType::kSync) return fail("expected SYNC, got CONNECT");
    rtt_ = now - connect_sent_at_;
    state_ = State::kPunching;
    Step step;
    step.close_stream = true;
    step.dial = Dial{peer_addrs_, now, true, true, 1};
    return step;
  }
  return fail("hole punch message out of turn");
}

Step Receiver::on_stream_failed(std::string_view reason) {
  if (state_ != State::kAwaitingConnect && state_ != State::kAwaitingSync) return Step{};
  return fail("hole punch stream: " + std::string(reason));
}

Step Receiver::on_dial_result(bool connected, util::SteadyTime now) {
  if (state_ != State::kPunching) return fail("dial result out of turn");
  if (!connected) {
    // The initiator retries on a new stream; this exchange is over.
    Step step;
    state_ = State::kFailed;
    step.outcome = Outcome::kFailed;
    step.error = "hole punch dial failed";
    return step;
  }
  state_ = State::kSucceeded;
  Step step;
  step.outcome = Outcome::kSucceeded;
  return step;
}

Step Receiver::tick(util::SteadyTime now) {
  const auto deadline = next_deadline();
  if (!deadline || now < *deadline) return Step{};
  return fail("the hole punch exchange did not finish in time");
}

std::optional<util::SteadyTime> Receiver::next_deadline() const {
  if (state_ != State::kAwaitingConnect && state_ != State::kAwaitingSync) return std::nullopt;
  return deadline_;
}

}  // namespace edgevpn::p2p::holepunch
