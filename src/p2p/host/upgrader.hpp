// Connection upgrade on a fresh TCP socket (libp2p connections spec): multistream-select
// "/noise", the Noise XX handshake (remote peer ID verified), then multistream-select
// "/yamux/1.0.0" inside the encrypted channel.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <optional>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/noise/noise_handshake.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

inline constexpr const char* kMuxerProtocol = "/yamux/1.0.0";

struct Upgraded {
  noise::Session security;
  // Plaintext that followed the muxer negotiation: the first yamux bytes.
  util::Bytes early_plaintext;
};

// Runs the upgrade as dialer (`initiator`) or listener. With `expected_remote`, a peer proving
// another identity is refused (kCrypto). The socket is closed when `timeout` passes first.
asio::awaitable<util::Result<Upgraded>> upgrade_connection(
    asio::ip::tcp::socket& socket, bool initiator, const crypto::PrivateKey& identity,
    std::optional<crypto::PeerId> expected_remote, std::chrono::milliseconds timeout);

}  // namespace edgevpn::p2p::host
