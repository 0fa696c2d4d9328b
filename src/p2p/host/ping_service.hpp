// /ipfs/ping/1.0.0 over host streams: the echo handler and one timed round trip.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>

#include "p2p/host/stream.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

// Echoes 32-byte payloads until the peer closes the stream.
asio::awaitable<void> serve_ping(Stream stream);
// Sends one random payload on an opened ping stream and times its echo; closes the stream.
asio::awaitable<util::Result<std::chrono::nanoseconds>> ping_once(Stream stream);

}  // namespace edgevpn::p2p::host
