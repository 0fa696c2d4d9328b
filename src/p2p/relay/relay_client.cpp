// Client-side circuit relay v2: requests, answers, circuit addresses and refresh times.
#include "p2p/relay/relay_client.hpp"

#include <algorithm>
#include <string>

namespace edgevpn::p2p::relay {
namespace {

util::Error malformed(std::string message) {
  return util::make_error(util::Errc::kMalformed, std::move(message));
}

}  // namespace

HopMessage make_reserve_request() {
  HopMessage request;
  request.type = HopType::kReserve;
  return request;
}

HopMessage make_connect_request(const crypto::PeerId& target) {
  HopMessage request;
  request.type = HopType::kConnect;
  request.peer = PeerInfo{target, {}};
  return request;
}

util::Result<ReserveAnswer> read_reserve_response(const HopMessage& response,
                                                  const crypto::PeerId& relay,
                                                  const crypto::PeerId& self, util::WallTime now) {
  if (response.type != HopType::kStatus) return malformed("relay answered RESERVE with no STATUS");
  if (!response.status) return malformed("relay's STATUS has no known status code");
  if (*response.status != Status::kOk) return ReserveAnswer{*response.status, std::nullopt};
  if (!response.reservation) return malformed("relay accepted the reservation but sent none");

  ClientReservation reservation;
  // Capped where system_clock's nanoseconds would overflow (year 2262).
  constexpr uint64_t kLatestUnixSeconds = 8'000'000'000;
  reservation.expiry =
      util::WallTime{} + std::chrono::seconds(static_cast<int64_t>(
                             std::min(response.reservation->expire_unix, kLatestUnixSeconds)));
  if (reservation.expiry < now) return malformed("relay's reservation expires in the past");
  reservation.relay_addrs = response.reservation->addrs;
  reservation.limit = response.limit;
  if (response.reservation->voucher) {
    auto voucher = open_voucher(*response.reservation->voucher);
    if (!voucher.ok()) return malformed("relay's voucher: " + voucher.error().message);
    if (voucher->relay != relay) return malformed("voucher is signed by another relay");
    if (voucher->peer != self) return malformed("voucher is for another peer");
    reservation.voucher = std::move(*voucher);
  }
  return ReserveAnswer{Status::kOk, std::move(reservation)};
}

util::Result<ConnectAnswer> read_connect_response(const HopMessage& response) {
  if (response.type != HopType::kStatus) return malformed("relay answered CONNECT with no STATUS");
  if (!response.status) return malformed("relay's STATUS has no known status code");
  if (*response.status != Status::kOk) return ConnectAnswer{*response.status, std::nullopt};
  return ConnectAnswer{Status::kOk, response.limit};
}

StopAnswer answer_stop_request(const util::Result<StopMessage>& request) {
  if (!request.ok()) return StopAnswer{stop_status(Status::kMalformedMessage), std::nullopt};
  if (request->type != StopType::kConnect) {
    return StopAnswer{stop_status(Status::kUnexpectedMessage), std::nullopt};
  }
  if (!request->peer) return StopAnswer{stop_status(Status::kMalformedMessage), std::nullopt};
  return StopAnswer{stop_status(Status::kOk), InboundCircuit{request->peer->id, request->limit}};
}

std::optional<Multiaddr> circuit_address(const Multiaddr& relay_addr, const crypto::PeerId& relay) {
  if (relay_addr.empty() || is_relay_address(relay_addr)) return std::nullopt;
  const auto id = relay_addr.peer_id();
  if (id && *id != relay) return std::nullopt;
  const Multiaddr with_id = id ? relay_addr : relay_addr.with_peer_id(relay);
  auto circuit = Multiaddr::from_component(multiaddr_code::kP2pCircuit, {});
  if (!circuit.ok()) return std::nullopt;
  return with_id.encapsulate(*circuit);
}

util::Result<CircuitAddress> parse_circuit_address(const Multiaddr& addr) {
  const auto& components = addr.components();
  const auto circuit = std::ranges::find_if(components, [](const MultiaddrComponent& component) {
    return component.code == multiaddr_code::kP2pCircuit;
  });
  if (circuit == components.end()) {
    return util::make_error(util::Errc::kInvalidArgument, "not a /p2p-circuit address");
  }
  if (circuit == components.begin() || std::prev(circuit)->code != multiaddr_code::kP2p) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "circuit address without /p2p/<relay> before /p2p-circuit");
  }
  const auto after = std::next(circuit);
  const bool names_target = after != components.end() && after->code == multiaddr_code::kP2p &&
                            std::next(after) == components.end();
  if (after != components.end() && !names_target) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "circuit address goes on after /p2p-circuit[/p2p/<target>]");
  }
  CircuitAddress out;
  EDGEVPN_TRY_ASSIGN(relay, crypto::PeerId::from_bytes(std::prev(circuit)->value));
  out.relay = std::move(relay);
  out.relay_addr = addr.decapsulate_code(multiaddr_code::kP2pCircuit);
  if (names_target) {
    EDGEVPN_TRY_ASSIGN(target, crypto::PeerId::from_bytes(after->value));
    out.target = std::move(target);
  }
  return out;
}

void ReservationRefresher::reserved(const crypto::PeerId& relay, util::WallTime expiry,
                                    util::WallTime now) {
  const auto life = expiry > now ? expiry - now : util::WallTime::duration::zero();
  const auto lead = std::min<util::WallTime::duration>(kLead, life / 2);
  refresh_at_[relay] = expiry - lead;
}

void ReservationRefresher::forget(const crypto::PeerId& relay) {
  refresh_at_.erase(relay);
}

std::vector<crypto::PeerId> ReservationRefresher::due(util::WallTime now) const {
  std::vector<crypto::PeerId> relays;
  for (const auto& [relay, at] : refresh_at_) {
    if (at <= now) relays.push_back(relay);
  }
  return relays;
}

std::optional<util::WallTime> ReservationRefresher::next_deadline() const {
  std::optional<util::WallTime> next;
  for (const auto& [relay, at] : refresh_at_) {
    if (!next || at < *next) next = at;
  }
  return next;
}

std::optional<util::WallTime> ReservationRefresher::refresh_at(const crypto::PeerId& relay) const {
  const auto found = refresh_at_.find(relay);
  if (found == refresh_at_.end()) return std::nullopt;
  return found->second;
}

}  // namespace edgevpn::p2p::relay
