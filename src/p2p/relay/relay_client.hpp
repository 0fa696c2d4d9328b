// The client side of circuit relay v2: hop requests to a relay and what its answers mean, the
// answer to a relay's stop CONNECT, circuit addresses, and when to refresh reservations. No
// I/O; the host opens the streams.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/relay/relay_message.hpp"
#include "p2p/relay/voucher.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::relay {

// HopMessage{RESERVE} and HopMessage{CONNECT, peer = target}.
HopMessage make_reserve_request();
HopMessage make_connect_request(const crypto::PeerId& target);

// A reservation the relay granted.
struct ClientReservation {
  util::WallTime expiry;
  std::vector<Multiaddr> relay_addrs;         // as the relay sent them (ending in /p2p/<relay>)
  std::optional<Limit> limit;                 // absent: circuits are unlimited
  std::optional<ReservationVoucher> voucher;  // checked: signed by the relay, names us
};

struct ReserveAnswer {
  Status status = Status::kOk;                   // the relay's status; kOk means reserved
  std::optional<ClientReservation> reservation;  // set exactly when status is kOk
};

// Reads the relay's answer to RESERVE. A refusal is a value (its status tells PERMISSION_DENIED
// from RESERVATION_REFUSED, for the caller's back-off). kMalformed, as go-libp2p's client
// treats them: not a STATUS message, no status, OK without a reservation, an expiry before
// `now`, or a voucher that does not open, is not the relay's, or is for another peer than
// `self`.
util::Result<ReserveAnswer> read_reserve_response(const HopMessage& response,
                                                  const crypto::PeerId& relay,
                                                  const crypto::PeerId& self, util::WallTime now);

struct ConnectAnswer {
  Status status = Status::kOk;  // kOk: the hop stream is now the relayed connection
  std::optional<Limit> limit;   // the connection is "limited" exactly when this is set
};

// Reads the relay's answer to CONNECT; kMalformed when it is not a STATUS with a status.
util::Result<ConnectAnswer> read_connect_response(const HopMessage& response);

// A relayed connection a relay announces on /stop.
struct InboundCircuit {
  crypto::PeerId source;
  std::optional<Limit> limit;
};

struct StopAnswer {
  StopMessage reply;                      // write it; with STATUS OK the stream is the connection
  std::optional<InboundCircuit> circuit;  // set when accepted
};

// Answers the relay's stop request (or the error of decoding it): a CONNECT naming the source
// is accepted with STATUS OK; another type is UNEXPECTED_MESSAGE; a frame that does not decode
// or a CONNECT without a peer is MALFORMED_MESSAGE. A host that cannot take the connection
// after all answers stop_status(Status::kConnectionFailed) instead.
StopAnswer answer_stop_request(const util::Result<StopMessage>& request);

// <relay_addr>/p2p-circuit: the address others dial to reach us through that relay. The relay
// address gets /p2p/<relay> when it lacks it; nullopt for an address that already goes through
// a relay or names another peer than `relay`.
std::optional<Multiaddr> circuit_address(const Multiaddr& relay_addr, const crypto::PeerId& relay);

// The parts of a circuit address /<relay transport>/p2p/<relay>/p2p-circuit[/p2p/<target>].
struct CircuitAddress {
  Multiaddr relay_addr;  // up to and including /p2p/<relay>
  crypto::PeerId relay;
  std::optional<crypto::PeerId> target;  // absent when the address does not name it
};
// kInvalidArgument when `addr` has no /p2p-circuit, no /p2p/<relay> right before it, or more
// than one hop.
util::Result<CircuitAddress> parse_circuit_address(const Multiaddr& addr);

// When reservations are refreshed. go-libp2p's AutoRelay looks every minute and refreshes those
// that expire within 2 minutes; this keeps the 2-minute lead but gives each reservation its own
// deadline, and for reservations shorter than twice the lead refreshes at half their life.
class ReservationRefresher {
 public:
  static constexpr std::chrono::seconds kLead{120};

  // A reservation with `relay` was granted (or refreshed) at `now`, valid until `expiry`.
  void reserved(const crypto::PeerId& relay, util::WallTime expiry, util::WallTime now);
  // The relay is gone or refused the refresh: go-libp2p drops it; so do we.
  void forget(const crypto::PeerId& relay);

  // Relays whose reservation is due for a refresh at `now`.
  std::vector<crypto::PeerId> due(util::WallTime now) const;
  std::optional<util::WallTime> next_deadline() const;
  std::optional<util::WallTime> refresh_at(const crypto::PeerId& relay) const;
  size_t size() const { return refresh_at_.size(); }

 private:
  std::map<crypto::PeerId, util::WallTime> refresh_at_;
};

}  // namespace edgevpn::p2p::relay
