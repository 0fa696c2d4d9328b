// The hop service's admission, reservation and circuit accounting.
#include "p2p/relay/relay_service.hpp"

#include <algorithm>

#include "p2p/relay/voucher.hpp"

namespace edgevpn::p2p::relay {
namespace {

uint64_t unix_seconds(util::WallTime time) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
  return seconds < 0 ? 0 : static_cast<uint64_t>(seconds);
}

size_t direction_index(Direction direction) {
  return direction == Direction::kSourceToDestination ? 0 : 1;
}

}  // namespace

RelayResources RelayResources::edgevpn_defaults() {
  RelayResources resources;
  resources.limit = CircuitLimit{std::chrono::minutes(30), uint64_t{1} << 30};
  resources.reservation_ttl = std::chrono::hours(1);
  resources.max_circuits = 64;
  resources.buffer_size = 64 * 1024;
  return resources;
}

Relay::Relay(crypto::PrivateKey key, RelayResources resources, RelayAcl acl)
    : key_(std::move(key)),
      self_(crypto::PeerId::from_public_key(key_.public_key())),
      resources_(resources),
      acl_(std::move(acl)) {}

HopOutcome Relay::refuse(Status status) {
  HopOutcome outcome;
  outcome.kind = HopOutcome::Kind::kRefused;
  outcome.status = status;
  outcome.reply = hop_status(status);
  return outcome;
}

HopOutcome Relay::handle_hop(const HopMessage& request, const Requester& requester,
                             util::WallTime now) {
  switch (request.type) {
    case HopType::kReserve: return handle_reserve(requester, now);
    case HopType::kConnect: return handle_connect(request, requester, now);
    case HopType::kStatus: break;
  }
  return refuse(Status::kMalformedMessage);
}

HopOutcome Relay::handle_reserve(const Requester& requester, util::WallTime now) {
  // A reservation through another relay would give circuit addresses nobody can use.
  if (is_relay_address(requester.addr)) return refuse(Status::kPermissionDenied);
  if (acl_.allow_reserve && !acl_.allow_reserve(requester.peer, requester.addr)) {
    return refuse(Status::kPermissionDenied);
  }
  auto ip = requester.addr.ip_bytes();
  if (!ip) return refuse(Status::kReservationRefused);  // the per-IP cap needs an IP

  // Expired entries wait for tick(); they count for nobody. Neither does the requester's own
  // reservation when it refreshes.
  size_t others = 0;
  size_t same_ip = 0;
  for (const auto& [peer, entry] : reservations_) {
    if (peer == requester.peer || entry.expiry <= now) continue;
    ++others;
    if (entry.ip == *ip) ++same_ip;
  }
  if (others >= resources_.max_reservations) return refuse(Status::kReservationRefused);
  if (same_ip >= resources_.max_reservations_per_ip) return refuse(Status::kReservationRefused);
  const bool refresh = has_reservation(requester.peer, now);

  const util::WallTime expiry =
      now + std::chrono::duration_cast<util::WallTime::duration>(resources_.reservation_ttl);
  reservations_[requester.peer] = ReservationEntry{expiry, std::move(*ip)};

  HopOutcome outcome;
  outcome.kind = refresh ? HopOutcome::Kind::kRefreshed : HopOutcome::Kind::kReserved;
  outcome.status = Status::kOk;
  outcome.reservation_expiry = expiry;
  HopMessage reply = hop_status(Status::kOk);
  reply.reservation = make_reservation(requester.peer, expiry);
  reply.limit = limit_message();
  outcome.reply = std::move(reply);
  return outcome;
}

HopOutcome Relay::handle_connect(const HopMessage& request, const Requester& requester,
                                 util::WallTime now) {
  if (is_relay_address(requester.addr)) return refuse(Status::kPermissionDenied);
  if (!request.peer) return refuse(Status::kMalformedMessage);
  const crypto::PeerId& destination = request.peer->id;
  if (acl_.allow_connect && !acl_.allow_connect(requester.peer, requester.addr, destination)) {
    return refuse(Status::kPermissionDenied);
  }
  if (!has_reservation(destination, now)) return refuse(Status::kNoReservation);
  if (circuit_count(requester.peer) >= resources_.max_circuits ||
      circuit_count(destination) >= resources_.max_circuits) {
    return refuse(Status::kResourceLimitExceeded);
  }

  const CircuitId id = next_circuit_++;
  circuits_[id] = Circuit{requester.peer, destination, false, std::nullopt, {0, 0}};
  add_circuit_count(requester.peer);
  add_circuit_count(destination);

  StopMessage stop;
  stop.type = StopType::kConnect;
  stop.peer = PeerInfo{requester.peer, {}};
  stop.limit = limit_message();

  HopOutcome outcome;
  outcome.kind = HopOutcome::Kind::kCircuitPending;
  outcome.status = Status::kOk;
  outcome.circuit = id;
  outcome.destination = destination;
  outcome.stop_request = std::move(stop);
  return outcome;
}

CircuitOutcome Relay::on_stop_response(CircuitId circuit, const StopMessage& response,
                                       util::WallTime now) {
  const auto found = circuits_.find(circuit);
  if (found == circuits_.end() || found->second.open) {
    return CircuitOutcome{Status::kConnectionFailed, hop_status(Status::kConnectionFailed)};
  }
  if (response.type != StopType::kStatus || response.status != Status::kOk) {
    return on_stop_failed(circuit);
  }
  found->second.open = true;
  if (resources_.limit && resources_.limit->duration.count() > 0) {
    found->second.deadline =
        now + std::chrono::duration_cast<util::WallTime::duration>(resources_.limit->duration);
  }
  HopMessage reply = hop_status(Status::kOk);
  reply.limit = limit_message();
  return CircuitOutcome{Status::kOk, std::move(reply)};
}

CircuitOutcome Relay::on_stop_failed(CircuitId circuit) {
  forget_circuit(circuit);
  return CircuitOutcome{Status::kConnectionFailed, hop_status(Status::kConnectionFailed)};
}

uint64_t Relay::admit_data(CircuitId circuit, Direction direction, uint64_t bytes) {
  const auto found = circuits_.find(circuit);
  if (found == circuits_.end() || !found->second.open) return 0;
  uint64_t& relayed = found->second.relayed[direction_index(direction)];
  uint64_t admitted = bytes;
  if (resources_.limit && resources_.limit->data_bytes > 0) {
    const uint64_t left =
        relayed >= resources_.limit->data_bytes ? 0 : resources_.limit->data_bytes - relayed;
    admitted = std::min(bytes, left);
  }
  relayed += admitted;
  return admitted;
}

uint64_t Relay::relayed_bytes(CircuitId circuit, Direction direction) const {
  const auto found = circuits_.find(circuit);
  return found == circuits_.end() ? 0 : found->second.relayed[direction_index(direction)];
}

void Relay::close_circuit(CircuitId circuit) {
  forget_circuit(circuit);
}

void Relay::forget_circuit(CircuitId circuit) {
  const auto found = circuits_.find(circuit);
  if (found == circuits_.end()) return;
  remove_circuit_count(found->second.source);
  remove_circuit_count(found->second.destination);
  circuits_.erase(found);
}

void Relay::peer_disconnected(const crypto::PeerId& peer) {
  reservations_.erase(peer);
}

std::vector<crypto::PeerId> Relay::drop_expired_reservations(util::WallTime now) {
  std::vector<crypto::PeerId> expired;
  for (auto it = reservations_.begin(); it != reservations_.end();) {
    if (it->second.expiry <= now) {
      expired.push_back(it->first);
      it = reservations_.erase(it);
    } else {
      ++it;
    }
  }
  return expired;
}

TickOutcome Relay::tick(util::WallTime now) {
  TickOutcome outcome;
  outcome.expired_reservations = drop_expired_reservations(now);
  std::vector<CircuitId> expired;
  for (const auto& [id, circuit] : circuits_) {
    if (circuit.deadline && *circuit.deadline <= now) expired.push_back(id);
  }
  for (CircuitId id : expired) forget_circuit(id);
  outcome.expired_circuits = std::move(expired);
  return outcome;
}

std::optional<util::WallTime> Relay::next_deadline() const {
  std::optional<util::WallTime> next;
  const auto consider = [&next](util::WallTime time) {
    if (!next || time < *next) next = time;
  };
  for (const auto& [peer, reservation] : reservations_) consider(reservation.expiry);
  for (const auto& [id, circuit] : circuits_) {
    if (circuit.deadline) consider(*circuit.deadline);
  }
  return next;
}

bool Relay::has_reservation(const crypto::PeerId& peer, util::WallTime now) const {
  const auto found = reservations_.find(peer);
  return found != reservations_.end() && found->second.expiry > now;
}

size_t Relay::circuit_count(const crypto::PeerId& peer) const {
  const auto found = circuits_per_peer_.find(peer);
  return found == circuits_per_peer_.end() ? 0 : found->second;
}

std::optional<util::WallTime> Relay::circuit_deadline(CircuitId circuit) const {
  const auto found = circuits_.find(circuit);
  if (found == circuits_.end()) return std::nullopt;
  return found->second.deadline;
}

std::optional<Limit> Relay::limit_message() const {
  if (!resources_.limit) return std::nullopt;
  return Limit{static_cast<uint32_t>(resources_.limit->duration.count()),
               resources_.limit->data_bytes};
}

Reservation Relay::make_reservation(const crypto::PeerId& peer, util::WallTime expiry) const {
  Reservation reservation;
  reservation.expire_unix = unix_seconds(expiry);
  for (const auto& addr : addrs_) {
    if (!addr.is_public() || is_relay_address(addr)) continue;
    const auto id = addr.peer_id();
    if (id && *id != self_) continue;  // someone else's address
    reservation.addrs.push_back(id ? addr : addr.with_peer_id(self_));
  }
  reservation.voucher =
      seal_voucher(key_, ReservationVoucher{self_, peer, reservation.expire_unix});
  return reservation;
}

void Relay::add_circuit_count(const crypto::PeerId& peer) {
  ++circuits_per_peer_[peer];
}

void Relay::remove_circuit_count(const crypto::PeerId& peer) {
  const auto found = circuits_per_peer_.find(peer);
  if (found == circuits_per_peer_.end()) return;
  if (--found->second == 0) circuits_per_peer_.erase(found);
}

}  // namespace edgevpn::p2p::relay
