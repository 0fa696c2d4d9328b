// TCP transport: address conversion, dialling, listening and interface enumeration.
#include "p2p/host/tcp_transport.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <memory>

namespace edgevpn::p2p::host {
namespace {

using util::Errc;
using util::make_error;

}  // namespace

util::Result<asio::ip::tcp::endpoint> to_endpoint(const Multiaddr& addr) {
  auto tcp = addr.tcp_endpoint();
  if (!tcp) return make_error(Errc::kUnsupported, "not a TCP address: " + addr.to_string());
  // Only /ip4|ip6/x/tcp/n, optionally followed by /p2p/<id>.
  const auto& parts = addr.components();
  if (parts.size() > 3 || (parts.size() == 3 && parts[2].code != multiaddr_code::kP2p)) {
    return make_error(Errc::kUnsupported, "unsupported transport: " + addr.to_string());
  }
  asio::error_code ec;
  auto ip = asio::ip::make_address(tcp->host, ec);
  if (ec) return make_error(Errc::kInvalidArgument, "bad IP in " + addr.to_string());
  return asio::ip::tcp::endpoint(ip, tcp->port);
}

Multiaddr to_multiaddr(const asio::ip::tcp::endpoint& endpoint) {
  auto ip = endpoint.address();
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  }
  auto addr = Multiaddr::from_tcp(ip.to_string(), endpoint.port());
  return addr ? *addr : Multiaddr();
}

asio::awaitable<util::Result<asio::ip::tcp::socket>> dial_tcp(asio::any_io_executor executor,
                                                               asio::ip::tcp::endpoint endpoint,
                                                               std::chrono::milliseconds timeout) {
  asio::ip::tcp::socket socket(executor);
  struct GuardState {
    bool done = false;
    bool timed_out = false;
  };
  auto state = std::make_shared<GuardState>();
  asio::steady_timer guard(executor, timeout);
  guard.async_wait([&socket, state](const asio::error_code& ec) {
    if (ec || state->done) return;
    state->timed_out = true;
    asio::error_code ignored;
    socket.close(ignored);
  });
  asio::error_code ec;
  co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
  state->done = true;
  guard.cancel();
  if (state->timed_out) co_return make_error(Errc::kTimeout, "TCP connect timed out");
  if (ec) co_return make_error(Errc::kIo, "TCP connect: " + ec.message());
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  co_return std::move(socket);
}

util::Result<asio::ip::tcp::acceptor> open_acceptor(const asio::any_io_executor& executor,
                                                    const asio::ip::tcp::endpoint& endpoint) {
  asio::ip::tcp::acceptor acceptor(executor);
  asio::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(Errc::kIo, "listen on " + endpoint.address().to_string() + ":" +
                                     std::to_string(endpoint.port()) + ": " + ec.message());
  }
  return util::Result<asio::ip::tcp::acceptor>(std::move(acceptor));
}

std::vector<Multiaddr> expand_unspecified(const Multiaddr& addr) {
  if (!addr.is_unspecified()) return {addr};
  auto endpoint = to_endpoint(addr);
  if (!endpoint) return {addr};
  const bool want_v6 = endpoint->address().is_v6();
  std::vector<Multiaddr> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {addr};
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr) continue;
    asio::ip::address ip;
    if (!want_v6 && it->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      ip = asio::ip::address_v4(ntohl(sin->sin_addr.s_addr));
    } else if (want_v6 && it->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      asio::ip::address_v6::bytes_type bytes;
      std::memcpy(bytes.data(), sin6->sin6_addr.s6_addr, bytes.size());
      asio::ip::address_v6 v6(bytes);
      if (v6.is_link_local()) continue;  // needs a zone to be dialled
      ip = v6;
    } else {
      continue;
    }
    Multiaddr expanded = to_multiaddr(asio::ip::tcp::endpoint(ip, endpoint->port()));
    if (!expanded.empty() && std::find(out.begin(), out.end(), expanded) == out.end()) {
      out.push_back(std::move(expanded));
    }
  }
  freeifaddrs(list);
  if (out.empty()) out.push_back(addr);
  return out;
}

}  // namespace edgevpn::p2p::host
