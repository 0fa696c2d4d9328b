// Listening: one acceptor per listen address, each with an accept loop, the inbound limit, the
// gate and the inbound upgrade. accept() failures (out of descriptors: EMFILE, ENFILE, ENOBUFS)
// back off, 5 ms doubling to 1 s, and are logged at most every 10 s. Part of HostCore
// (host_core.hpp).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "p2p/multiaddr/multiaddr.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

class HostCore;

// Waits between failed accepts: the first is `kAcceptBackoffMin`, each next one twice the last,
// up to `kAcceptBackoffMax`; an accept that works starts over.
inline constexpr std::chrono::milliseconds kAcceptBackoffMin{5};
inline constexpr std::chrono::milliseconds kAcceptBackoffMax{1000};
inline constexpr std::chrono::seconds kAcceptLogInterval{10};

class Listener {
 public:
  explicit Listener(HostCore& core) : core_(core) {}

  // Binds every address and starts accepting; fails on the first that cannot be bound.
  util::Status listen(const std::vector<Multiaddr>& addrs);
  // Stops accepting (idempotent).
  void close();

  // Bound addresses, real ports filled in.
  const std::vector<Multiaddr>& bound() const { return bound_; }
  // What identify advertises: bound addresses with 0.0.0.0 / :: expanded to the interfaces'.
  std::vector<Multiaddr> advertised() const;

 private:
  asio::awaitable<void> accept_loop(std::shared_ptr<HostCore> self,
                                    asio::ip::tcp::acceptor& acceptor);
  asio::awaitable<void> upgrade_inbound(std::shared_ptr<HostCore> self,
                                        asio::ip::tcp::socket socket);
  void log_accept_error(const asio::error_code& ec, std::chrono::milliseconds backoff);

  HostCore& core_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::vector<Multiaddr> bound_;
  std::chrono::steady_clock::time_point last_error_log_{};
  uint64_t unreported_errors_ = 0;
};

}  // namespace edgevpn::p2p::host
