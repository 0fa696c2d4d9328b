// TCP transport pieces: multiaddr <-> endpoint, dialling with a timeout, listening sockets, and
// the interface addresses that stand for 0.0.0.0 / ::.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <vector>

#include "p2p/multiaddr/multiaddr.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

// /ip4|ip6/<ip>/tcp/<port>[/p2p/...]; kUnsupported for anything else (DNS, QUIC, relays).
util::Result<asio::ip::tcp::endpoint> to_endpoint(const Multiaddr& addr);
Multiaddr to_multiaddr(const asio::ip::tcp::endpoint& endpoint);

// Connects with TCP_NODELAY set; kTimeout after `timeout`.
asio::awaitable<util::Result<asio::ip::tcp::socket>> dial_tcp(asio::any_io_executor executor,
                                                               asio::ip::tcp::endpoint endpoint,
                                                               std::chrono::milliseconds timeout);

// A listening socket (SO_REUSEADDR; IPv6 sockets are IPv6-only so both families can coexist).
util::Result<asio::ip::tcp::acceptor> open_acceptor(const asio::any_io_executor& executor,
                                                    const asio::ip::tcp::endpoint& endpoint);

// `addr` itself, or for 0.0.0.0 / :: the same port on every local address of that family.
std::vector<Multiaddr> expand_unspecified(const Multiaddr& addr);

}  // namespace edgevpn::p2p::host
