// DCUtR's two roles as sans-I/O state machines (DCUtR.md "The Protocol"), with go-libp2p
// v0.48's choices where the spec leaves room: a new stream per attempt, 3 attempts, roles swapped
// on the last one, a 10 s dial timeout and a 60 s stream timeout. The host feeds stream events,
// decoded messages and dial results with `now`, and carries out the Step each call returns.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "p2p/holepunch/holepunch_message.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/clock.hpp"

namespace edgevpn::p2p::holepunch {

// The addresses we send in CONNECT: our listen and observed addresses without relay addresses
// and without any that is not public (go-libp2p's HolePunchAddrs), duplicates removed.
std::vector<Multiaddr> local_punch_addrs(const std::vector<Multiaddr>& addrs);
// The addresses we dial from a peer's CONNECT: without relay addresses (go-libp2p keeps the
// rest: a private address may be the peer's LAN address and cost only a failed dial).
std::vector<Multiaddr> remote_punch_addrs(const std::vector<Multiaddr>& addrs);
// True when a unilateral direct dial is worth trying first: one of the addresses we know for the
// peer (identify, peerstore) is public and not through a relay.
bool worth_direct_dial(const std::vector<Multiaddr>& known_addrs);

struct HolePunchConfig {
  int max_attempts = 3;
  // Per dial (the host enforces it and reports a failure).
  std::chrono::milliseconds dial_timeout{10'000};
  // From opening the stream to the answer we wait for.
  std::chrono::milliseconds stream_timeout{60'000};
};

// A dial the host should make.
struct Dial {
  std::vector<Multiaddr> addrs;
  util::SteadyTime not_before{};  // the initiator dials RTT/2 after sending SYNC
  // False for the initiator's first, unilateral direct dial; true for a hole punch, a TCP
  // simultaneous open on the listen port.
  bool simultaneous_open = true;
  // The side that acts as the client (Noise initiator) of a simultaneous open.
  bool as_client = true;
  int attempt = 0;  // 0 for the unilateral dial
};

enum class Outcome { kPending, kSucceeded, kFailed };

// What the host does after a call, in this order: open a stream, write `send`, close the
// stream, then dial.
struct Step {
  bool open_stream = false;         // a new /libp2p/dcutr stream on the relayed connection
  std::optional<util::Bytes> send;  // one framed message
  bool close_stream = false;
  bool reset_stream = false;  // on failure, instead of a close
  std::optional<Dial> dial;
  Outcome outcome = Outcome::kPending;
  std::string error;  // why, when kFailed
};

// The side that received the relayed connection (B in DCUtR.md; go's holePuncher): it first
// dials directly when the peer looks reachable, then coordinates up to max_attempts punches.
class Initiator {
 public:
  enum class State {
    kIdle,
    kDirectDialing,
    kOpeningStream,
    kAwaitingConnect,
    kPunching,
    kSucceeded,
    kFailed,
  };

  explicit Initiator(HolePunchConfig config = {}) : config_(config) {}

  // Starts with what we know of the peer's addresses: a direct dial when worth_direct_dial(),
  // else the first attempt's stream.
  Step start(const std::vector<Multiaddr>& known_peer_addrs, util::SteadyTime now);
  // The attempt's stream is open: send CONNECT with local_punch_addrs(our_addrs) and start
  // measuring the RTT. Fails without public addresses to offer.
  Step on_stream_opened(const std::vector<Multiaddr>& our_addrs, util::SteadyTime now);
  // The stream could not be opened, was reset, or carried a frame that does not decode.
  Step on_stream_failed(std::string_view reason);
  // A message arrived on the stream: the peer's CONNECT gives the RTT; we answer SYNC, close
  // the stream and dial the peer's addresses RTT/2 later (as client on the last attempt only).
  Step on_message(const HolePunchMessage& message, util::SteadyTime now);
  // The dial asked for ended: connected or not. A failed punch starts the next attempt.
  Step on_dial_result(bool connected, util::SteadyTime now);
  // Fails when the peer's CONNECT has not come within the stream timeout.
  Step tick(util::SteadyTime now);
  std::optional<util::SteadyTime> next_deadline() const;

  State state() const { return state_; }
  int attempt() const { return attempt_; }
  std::optional<std::chrono::nanoseconds> last_rtt() const { return rtt_; }

 private:
  Step fail(std::string reason);
  Step next_attempt();

  HolePunchConfig config_;
  State state_ = State::kIdle;
  int attempt_ = 0;
  util::SteadyTime connect_sent_at_{};
  std::optional<std::chrono::nanoseconds> rtt_;
};

// The side that dialed through the relay (A in DCUtR.md; go's Service stream handler): one
// CONNECT/CONNECT/SYNC exchange per stream, then it dials at once as the client.
class Receiver {
 public:
  enum class State { kIdle, kAwaitingConnect, kAwaitingSync, kPunching, kSucceeded, kFailed };

  explicit Receiver(HolePunchConfig config = {}) : config_(config) {}

  // A peer opened a /libp2p/dcutr stream. Refused (reset) unless it came over a relayed
  // connection that we dialed, or when we have no public address to offer.
  Step on_stream(bool connection_is_relayed, bool we_dialed_the_connection,
                 const std::vector<Multiaddr>& our_addrs, util::SteadyTime now);
  // CONNECT: answer with our addresses and time until SYNC. SYNC: close the stream and dial the
  // peer's addresses now, as the client of the simultaneous open.
  Step on_message(const HolePunchMessage& message, util::SteadyTime now);
  Step on_stream_failed(std::string_view reason);
  Step on_dial_result(bool connected, util::SteadyTime now);
  Step tick(util::SteadyTime now);
  std::optional<util::SteadyTime> next_deadline() const;

  State state() const { return state_; }
  std::optional<std::chrono::nanoseconds> last_rtt() const { return rtt_; }

 private:
  Step fail(std::string reason);

  HolePunchConfig config_;
  State state_ = State::kIdle;
  std::vector<Multiaddr> our_addrs_;
  std::vector<Multiaddr> peer_addrs_;
  util::SteadyTime deadline_{};
  util::SteadyTime connect_sent_at_{};
  std::optional<std::chrono::nanoseconds> rtt_;
};

}  // namespace edgevpn::p2p::holepunch
