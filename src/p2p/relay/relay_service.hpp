// The circuit relay v2 hop service's state (the relay "R" of circuit-v2.md): who holds a
// reservation until when, which circuits are open with which limits, and the answer to each
// hop request. Sans-I/O: the host reads and writes the streams, pipes admitted circuits and
// calls back with what happened; every method takes `now`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/relay/relay_message.hpp"
#include "util/clock.hpp"

namespace edgevpn::p2p::relay {

struct CircuitLimit {
  std::chrono::seconds duration{0};  // 0: no time limit
  uint64_t data_bytes = 0;           // per direction; 0: no data limit
};

// The relay's resources. The defaults are go-libp2p's (relay.DefaultResources); EdgeVPN's relay
// service changes five of them, see edgevpn_defaults().
struct RelayResources {
  // Applied to every circuit and announced in Limit fields; nullopt relays without limits.
  std::optional<CircuitLimit> limit = CircuitLimit{std::chrono::minutes(2), 128 * 1024};
  std::chrono::seconds reservation_ttl = std::chrono::hours(1);
  size_t max_reservations = 128;
  // Open circuits per peer, counted for the source and for the destination alike.
  size_t max_circuits = 16;
  // Bytes the I/O layer buffers per direction of a circuit.
  size_t buffer_size = 2048;
  size_t max_reservations_per_ip = 8;
  // go-libp2p also caps reservations per IPv6 ASN (32); we have no ASN table and do not.

  // EdgeVPN's relay service (--relay-service-*): 1 GiB and 30 min per circuit, 64 circuits per
  // peer, 1 h reservations, 64 KiB buffers; the rest as go-libp2p.
  static RelayResources edgevpn_defaults();
};

// Access control, as go-libp2p's ACLFilter. An empty function allows everything. EdgeVPN's
// "network only" ACL is an allow_reserve that admits the healthcheck bucket's members.
struct RelayAcl {
  std::function<bool(const crypto::PeerId& peer, const Multiaddr& addr)> allow_reserve;
  std::function<bool(const crypto::PeerId& source, const Multiaddr& source_addr,
                     const crypto::PeerId& destination)>
      allow_connect;
};

// The peer behind a hop stream and the remote address of the connection it arrived on.
struct Requester {
  crypto::PeerId peer;
  Multiaddr addr;
};

using CircuitId = uint64_t;

enum class Direction { kSourceToDestination, kDestinationToSource };

// The answer to one hop request.
struct HopOutcome {
  enum class Kind {
    kRefused,         // `reply` is a STATUS other than OK; write it and close the stream
    kReserved,        // a new reservation; `reply` is STATUS OK with it
    kRefreshed,       // an existing reservation extended; `reply` as for kReserved
    kCircuitPending,  // CONNECT admitted: open /stop to `destination` and send `stop_request`,
                      // then report with on_stop_response / on_stop_failed
  };
  Kind kind = Kind::kRefused;
  Status status = Status::kOk;      // the reply's status (kOk for the last three kinds)
  std::optional<HopMessage> reply;  // what to write on the hop stream now
  std::optional<util::WallTime> reservation_expiry;  // kReserved, kRefreshed
  std::optional<CircuitId> circuit;                  // kCircuitPending
  std::optional<crypto::PeerId> destination;         // kCircuitPending
  std::optional<StopMessage> stop_request;           // kCircuitPending
};

// The answer to the destination's stop reply: what to write on the source's hop stream.
struct CircuitOutcome {
  Status status = Status::kOk;  // kOk: the circuit is open, pipe the two streams
  HopMessage reply;
};

struct TickOutcome {
  std::vector<crypto::PeerId> expired_reservations;
  // Circuits past their duration limit, now forgotten: reset both of their streams.
  std::vector<CircuitId> expired_circuits;
};

class Relay {
 public:
  // `key` signs the reservation vouchers; its peer ID is the relay's.
  Relay(crypto::PrivateKey key, RelayResources resources = {}, RelayAcl acl = {});

  // The relay's own listen or observed addresses. Reservations carry the public ones (go's
  // default reservation address filter), each ending in /p2p/<relay>.
  void set_addrs(std::vector<Multiaddr> addrs) { addrs_ = std::move(addrs); }

  // Answers a decoded hop request. RESERVE: refused over a relayed connection or by the ACL
  // (PERMISSION_DENIED), or when the relay or the requester's IP has its maximum of
  // reservations (RESERVATION_REFUSED); otherwise reserved (or refreshed) until now + TTL. A
  // refused request leaves an existing reservation as it was. CONNECT: PERMISSION_DENIED over
  // a relay or by the ACL, MALFORMED_MESSAGE without a peer, NO_RESERVATION when the target has
  // none (or it expired), RESOURCE_LIMIT_EXCEEDED when the source or the target already has
  // max_circuits; otherwise a pending circuit counted for both peers. STATUS from a client is
  // MALFORMED_MESSAGE, as go-libp2p answers it. A hop frame that does not decode is answered
  // with hop_status(Status::kMalformedMessage) by the caller.
  HopOutcome handle_hop(const HopMessage& request, const Requester& requester, util::WallTime now);

  // The destination answered the stop CONNECT of a pending circuit: with STATUS OK the circuit
  // opens (reply: STATUS OK with the limit), anything else fails it (CONNECTION_FAILED, and the
  // circuit is forgotten). Unknown or already open circuits get CONNECTION_FAILED.
  CircuitOutcome on_stop_response(CircuitId circuit, const StopMessage& response,
                                  util::WallTime now);
  // The stop stream could not be opened, written or read: CONNECTION_FAILED, circuit forgotten.
  CircuitOutcome on_stop_failed(CircuitId circuit);

  // Counts `bytes` the circuit wants to forward in `direction` and returns how many of them fit
  // under its data limit (all of them without one); once it returns less than asked, or the
  // limit is used up, the I/O layer stops reading that side and closes the other side's write.
  uint64_t admit_data(CircuitId circuit, Direction direction, uint64_t bytes);
  // Bytes forwarded so far in `direction` (0 for an unknown circuit).
  uint64_t relayed_bytes(CircuitId circuit, Direction direction) const;

  // Both streams of the circuit are done: release its counts. Unknown ids are ignored.
  void close_circuit(CircuitId circuit);
  // The peer has no connection left: its reservation is gone (circuit-v2.md: a reservation
  // lasts while the connection does).
  void peer_disconnected(const crypto::PeerId& peer);

  // Forgets expired reservations and circuits past their duration.
  TickOutcome tick(util::WallTime now);
  // When tick() next has something to do.
  std::optional<util::WallTime> next_deadline() const;

  bool has_reservation(const crypto::PeerId& peer, util::WallTime now) const;
  size_t reservation_count() const { return reservations_.size(); }
  // Open and pending circuits in which `peer` takes part.
  size_t circuit_count(const crypto::PeerId& peer) const;
  size_t circuit_count() const { return circuits_.size(); }
  std::optional<util::WallTime> circuit_deadline(CircuitId circuit) const;
  const crypto::PeerId& peer_id() const { return self_; }
  const RelayResources& resources() const { return resources_; }

 private:
  struct ReservationEntry {
    util::WallTime expiry;
    util::Bytes ip;  // the requester's IP when it reserved, for the per-IP cap
  };
  struct Circuit {
    crypto::PeerId source;
    crypto::PeerId destination;
    bool open = false;
    std::optional<util::WallTime> deadline;
    uint64_t relayed[2] = {0, 0};
  };

  HopOutcome handle_reserve(const Requester& requester, util::WallTime now);
  HopOutcome handle_connect(const HopMessage& request, const Requester& requester,
                            util::WallTime now);
  std::vector<crypto::PeerId> drop_expired_reservations(util::WallTime now);
  static HopOutcome refuse(Status status);
  std::optional<Limit> limit_message() const;
  Reservation make_reservation(const crypto::PeerId& peer, util::WallTime expiry) const;
  void add_circuit_count(const crypto::PeerId& peer);
  void remove_circuit_count(const crypto::PeerId& peer);
  void forget_circuit(CircuitId circuit);

  crypto::PrivateKey key_;
  crypto::PeerId self_;
  RelayResources resources_;
  RelayAcl acl_;
  std::vector<Multiaddr> addrs_;
  std::unordered_map<crypto::PeerId, ReservationEntry> reservations_;
  std::map<CircuitId, Circuit> circuits_;
  std::unordered_map<crypto::PeerId, size_t> circuits_per_peer_;
  CircuitId next_circuit_ = 1;
};

}  // namespace edgevpn::p2p::relay
