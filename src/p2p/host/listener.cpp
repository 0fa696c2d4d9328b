// Listener: accept loops with backoff, the inbound limit and the inbound upgrade.
#include "p2p/host/listener.hpp"

#include <algorithm>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "p2p/host/host_core.hpp"
#include "p2p/host/tcp_transport.hpp"
#include "p2p/host/upgrader.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::host {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.host");
  return log;
}

}  // namespace

util::Status Listener::listen(const std::vector<Multiaddr>& addrs) {
  for (const auto& addr : addrs) {
    EDGEVPN_TRY_ASSIGN(endpoint, to_endpoint(addr));
    EDGEVPN_TRY_ASSIGN(acceptor, open_acceptor(core_.executor, endpoint));
    auto owned = std::make_unique<asio::ip::tcp::acceptor>(std::move(acceptor));
    bound_.push_back(to_multiaddr(owned->local_endpoint()));
    core_.tasks.spawn(accept_loop(core_.shared_from_this(), *owned), "accept loop");
    acceptors_.push_back(std::move(owned));
  }
  return {};
}

void Listener::close() {
  for (auto& acceptor : acceptors_) {
    asio::error_code ignored;
    acceptor->close(ignored);
  }
}

std::vector<Multiaddr> Listener::advertised() const {
  std::vector<Multiaddr> out;
  for (const auto& addr : bound_) {
    for (auto& expanded : expand_unspecified(addr)) {
      if (std::find(out.begin(), out.end(), expanded) == out.end())
        out.push_back(std::move(expanded));
    }
  }
  return out;
}

asio::awaitable<void> Listener::accept_loop(std::shared_ptr<HostCore> self,
                                            asio::ip::tcp::acceptor& acceptor) {
  asio::steady_timer pause(core_.executor);
  std::chrono::milliseconds backoff{0};
  for (;;) {
    asio::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (core_.closing) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // Out of descriptors, the listening socket stays readable: retrying at once would spin.
      ++core_.stats.accept_errors;
      backoff = std::clamp(backoff * 2, kAcceptBackoffMin, kAcceptBackoffMax);
      log_accept_error(ec, backoff);
      pause.expires_after(backoff);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (core_.closing) co_return;
      continue;
    }
    backoff = std::chrono::milliseconds{0};
    if (!core_.connections.take_inbound_slot()) {
      ++core_.stats.rejected_connections;
      asio::error_code ignored;
      socket.close(ignored);
      continue;
    }
    core_.tasks.spawn(upgrade_inbound(self, std::move(socket)), "inbound upgrade");
  }
}

void Listener::log_accept_error(const asio::error_code& ec, std::chrono::milliseconds backoff) {
  const auto now = std::chrono::steady_clock::now();
  if (last_error_log_ != std::chrono::steady_clock::time_point{} &&
      now - last_error_log_ < kAcceptLogInterval) {
    ++unreported_errors_;
    return;
  }
  if (unreported_errors_ == 0) {
    logger()->warn("accept failed: {}; retrying in {} ms", ec.message(), backoff.count());
  } else {
    logger()->warn("accept failed: {} ({} more failures since the last report); retrying in {} ms",
                   ec.message(), unreported_errors_, backoff.count());
  }
  last_error_log_ = now;
  unreported_errors_ = 0;
}

asio::awaitable<void> Listener::upgrade_inbound(std::shared_ptr<HostCore> self,
                                                asio::ip::tcp::socket socket) {
  // The inbound slot taken at accept() is given back unless the socket becomes a connection (the
  // connection table gives it back when that closes), also when this ends by an exception.
  struct Slot {
    ~Slot() {
      if (held) table->release_inbound_slot();
    }
    ConnectionTable* table;
    bool held = true;
  } slot{&core_.connections};
  asio::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  const auto remote = to_multiaddr(socket.remote_endpoint(ec));
  if (!core_.gate_allows(remote, nullptr)) {
    socket.close(ec);
    co_return;
  }
  auto upgraded = co_await upgrade_connection(socket, false, core_.identity, std::nullopt,
                                              core_.config.upgrade_timeout);
  if (core_.closing) co_return;
  if (!upgraded) {
    core_.count_upgrade_failure(upgraded.error());
    logger()->debug("inbound upgrade failed: {}", upgraded.error().describe());
    co_return;
  }
  if (!core_.gate_allows(remote, &upgraded->security.remote_peer)) {
    socket.close(ec);
    co_return;
  }
  slot.held = false;
  core_.connections.add(std::move(socket), std::move(*upgraded), Direction::kInbound, std::nullopt);
}

}  // namespace edgevpn::p2p::host
