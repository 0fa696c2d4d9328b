// identify (/ipfs/id/1.0.0) and identify-push (/ipfs/id/push/1.0.0) on top of host streams:
// what we tell peers about ourselves and how what they tell us lands in the peerstore; and the
// host's identify service, which identifies every new connection and pushes our changes. Internal
// to p2p/host.
#pragma once

#include <asio/awaitable.hpp>
#include <memory>
#include <string>

#include "p2p/host/connection.hpp"
#include "p2p/host/peerstore.hpp"
#include "p2p/host/stream.hpp"
#include "p2p/identify/identify_message.hpp"

namespace edgevpn::p2p::host {

// Stores a peer's identify message: agent, protocols, listen addresses, observed address, and
// the public key when it matches the peer ID (kCrypto when it does not; nothing is stored then).
util::Status apply_identify(Peerstore& peerstore, const crypto::PeerId& peer,
                            const identify::IdentifyInfo& info);

// Initiator side of identify, and what the identify-push handler does: reads the peer's
// message(s) until it closes the stream and stores them (`peerstore` must outlive the call).
asio::awaitable<util::Status> read_identify(Peerstore& peerstore, Stream stream);
// Writes `ours` and closes: the answer to /ipfs/id/1.0.0, and an identify push on an opened
// /ipfs/id/push/1.0.0 stream.
asio::awaitable<util::Status> send_identify(identify::IdentifyInfo ours, Stream stream);
// Handlers of /ipfs/id/1.0.0 and /ipfs/id/push/1.0.0: send_identify and read_identify, with
// failures logged.
asio::awaitable<void> serve_identify(identify::IdentifyInfo ours, Stream stream);
asio::awaitable<void> serve_identify_push(Peerstore& peerstore, Stream stream);

class HostCore;

// The identify/push part of HostCore (host_core.hpp).
class IdentifyService {
 public:
  explicit IdentifyService(HostCore& core) : core_(core) {}

  // Serves /ipfs/id/1.0.0 and /ipfs/id/push/1.0.0.
  void install_handlers();
  // Identifies the peer of a new connection (in the host's task group); the connection table
  // then marks it identified.
  void on_connection(const std::shared_ptr<Connection>& conn);
  // Our protocols changed: push identify to every identified peer that takes pushes (once for
  // several changes in a row).
  void schedule_push();
  // Our identify message for a peer that reaches us from `observed`.
  identify::IdentifyInfo info_for(const Multiaddr& observed) const;

 private:
  asio::awaitable<void> identify_connection(std::shared_ptr<HostCore> self,
                                            std::shared_ptr<Connection> conn);
  asio::awaitable<void> push_all(std::shared_ptr<HostCore> self);

  HostCore& core_;
  bool push_scheduled_ = false;
};

}  // namespace edgevpn::p2p::host
