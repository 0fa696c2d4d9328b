// Connecting to a service's host:port with a deadline, and binding a local listening port: the
// TCP ends of the services feature.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>

#include "services/records.hpp"
#include "util/result.hpp"

namespace edgevpn::services {

// Resolves `target` (an empty host is 127.0.0.1) and connects to the first address that answers.
asio::awaitable<util::Result<asio::ip::tcp::socket>> dial_tcp(HostPort target,
                                                              std::chrono::milliseconds timeout);

// Binds and listens on `address` (an empty host listens on every IPv4 interface). kIo with
// "address in use" and the like.
util::Result<asio::ip::tcp::acceptor> listen_tcp(asio::io_context& io, const HostPort& address);

}  // namespace edgevpn::services
