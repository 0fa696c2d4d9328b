// service-connect: binds local TCP ports and tunnels each accepted connection to a service of the
// network (spec 10.2). Announces users[me] (Go's rule: Add when missing), looks the service up in
// the ledger per connection, opens our /edgevpn/service/1.0.0 (falling back to Go's
// /edgevpn/service/0.1) to the peer holding it, and pipes. A connection arriving before the
// service is known waits (lookup_timeout) while a status line says what it waits for.
#pragma once

#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "services/records.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}
namespace edgevpn::p2p::host {
class Host;
}
namespace edgevpn::ledger::live {
class LiveLedger;
}

namespace edgevpn::services {

struct ConnectorConfig {
  // How long an accepted connection waits for the service to be reachable before it is closed.
  std::chrono::milliseconds lookup_timeout{30000};
  std::chrono::milliseconds retry_interval{500};
  std::chrono::milliseconds status_interval{5000};  // "waiting for service" log lines
  size_t buffer_size = 128 * 1024;
  bool announce_user = true;  // tests turn it off to play a peer missing from users
};

struct ConnectorStats {
  uint64_t accepted = 0;     // local connections accepted
  uint64_t tunnelled = 0;    // connections piped to a service
  uint64_t gave_up = 0;      // closed after lookup_timeout
  uint64_t refused = 0;      // the service's address refused (our protocol tells)
  uint64_t go_streams = 0;   // tunnelled over /edgevpn/service/0.1
  size_t open_connections = 0;
};

struct ConnectorCore;

// Everything on the io_context's thread; `host` and `ledger` outlive the connector.
class ServiceConnector {
 public:
  ServiceConnector(asio::io_context& io, p2p::host::Host& host, ledger::live::LiveLedger& ledger,
                   ConnectorConfig config = {});
  ~ServiceConnector();  // stop()
  ServiceConnector(const ServiceConnector&) = delete;
  ServiceConnector& operator=(const ServiceConnector&) = delete;

  // Binds `listen` now (so "address in use" is reported at start-up). Before start().
  util::Status add(const std::string& name, const HostPort& listen);
  void start();
  // Closes the listeners and every tunnelled connection. Idempotent.
  void stop();

  // The bound addresses, in add() order (real ports when 0 was asked).
  std::vector<asio::ip::tcp::endpoint> endpoints() const;
  ConnectorStats stats() const;

 private:
  std::shared_ptr<ConnectorCore> core_;
};

}  // namespace edgevpn::services
