// identify (/ipfs/id/1.0.0) and identify-push (/ipfs/id/push/1.0.0) on top of host streams:
// what we tell peers about ourselves and how what they tell us lands in the peerstore.
#pragma once

#include <asio/awaitable.hpp>

#include "p2p/host/host.hpp"
#include "p2p/identify/identify_message.hpp"

namespace edgevpn::p2p::host {

// Our identify message for a peer that reaches us from `observed`.
identify::IdentifyInfo make_identify_info(const Host& host, const Multiaddr& observed);
// Stores a peer's identify message: agent, protocols, listen addresses, observed address, and
// the public key when it matches the peer ID (kCrypto when it does not; nothing is stored then).
util::Status apply_identify(Peerstore& peerstore, const crypto::PeerId& peer,
                            const identify::IdentifyInfo& info);

// Initiator side of identify: reads the peer's message(s) until it closes the stream.
asio::awaitable<util::Status> read_identify(Host& host, Stream stream);
// Handler of /ipfs/id/1.0.0: writes our message and closes.
asio::awaitable<void> serve_identify(Host& host, Stream stream);
// Handler of /ipfs/id/push/1.0.0: reads the peer's updated message.
asio::awaitable<void> serve_identify_push(Host& host, Stream stream);
// Sends our current message on an opened push stream.
asio::awaitable<util::Status> send_identify_push(Host& host, Stream stream);

}  // namespace edgevpn::p2p::host
