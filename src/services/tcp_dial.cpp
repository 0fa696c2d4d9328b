// TCP dial with a deadline and listen, with readable errors.
#include "services/tcp_dial.hpp"

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace edgevpn::services {

using asio::ip::tcp;
using util::Errc;
using util::make_error;

asio::awaitable<util::Result<tcp::socket>> dial_tcp(HostPort target,
                                                   std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);
  auto executor = co_await asio::this_coro::executor;
  const std::string host = target.host.empty() ? "127.0.0.1" : target.host;
  tcp::resolver resolver(executor);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(target.port), kNoThrow);
  if (resolve_error) {
    co_return make_error(Errc::kNotFound, "resolving " + host + ": " + resolve_error.message());
  }
  tcp::socket socket(executor);
  asio::steady_timer timer(executor, timeout);
  auto outcome = co_await (asio::async_connect(socket, endpoints, kNoThrow) ||
                           timer.async_wait(kNoThrow));
  if (outcome.index() == 1) {
    co_return make_error(Errc::kTimeout, "connecting to " + target.to_string() + " timed out");
  }
  if (auto ec = std::get<0>(std::get<0>(outcome))) {
    co_return make_error(Errc::kIo, "connecting to " + target.to_string() + ": " + ec.message());
  }
  co_return std::move(socket);
}

util::Result<tcp::acceptor> listen_tcp(asio::io_context& io, const HostPort& address) {
  asio::error_code ec;
  const auto ip = address.host.empty() ? asio::ip::address_v4::any()
                                       : asio::ip::make_address(address.host, ec);
  if (ec) {
    return make_error(Errc::kInvalidArgument,
                      "listen address " + address.to_string() + ": not an IP address");
  }
  const tcp::endpoint endpoint(ip, address.port);
  tcp::acceptor acceptor(io);
  const auto failed = [&](const char* step) {
    return make_error(Errc::kIo, std::string("cannot ") + step + " " + address.to_string() + ": " +
                                     ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec)) return failed("open");
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec)) return failed("configure");
  if (acceptor.bind(endpoint, ec)) return failed("listen on");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return failed("listen on");
  return acceptor;
}

}  // namespace edgevpn::services
