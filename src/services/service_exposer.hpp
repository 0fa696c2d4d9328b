// service-add: exposes local TCP endpoints to the network (spec 10.2). Announces
// services[NAME] = {PeerID: me, Name: NAME} for each, and serves inbound streams from peers in
// the users bucket: our /edgevpn/service/1.0.0 (named, any service) and Go's /edgevpn/service/0.1
// (no name: the first service added, as a Go process serves exactly one).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

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

struct ExposerConfig {
  std::chrono::milliseconds dial_timeout{10000};  // connecting to the service's host:port
  std::chrono::milliseconds header_timeout{10000};  // our protocol's name header
  size_t buffer_size = 128 * 1024;
};

struct ExposerStats {
  uint64_t accepted = 0;            // streams piped to a service
  uint64_t refused_not_user = 0;    // reset: remote peer not in users
  uint64_t unknown_service = 0;     // our protocol named a service we do not serve
  uint64_t target_unreachable = 0;  // the service's address refused or timed out
  uint64_t bad_header = 0;
  size_t open_connections = 0;
};

struct ExposerCore;

// Everything on the io_context's thread; `host` and `ledger` outlive the exposer.
class ServiceExposer {
 public:
  ServiceExposer(asio::io_context& io, p2p::host::Host& host, ledger::live::LiveLedger& ledger,
                 ExposerConfig config = {});
  ~ServiceExposer();  // stop()
  ServiceExposer(const ServiceExposer&) = delete;
  ServiceExposer& operator=(const ServiceExposer&) = delete;

  // Before start(). Fails on an empty or duplicate name.
  util::Status add(const std::string& name, HostPort target);
  // Registers the stream handlers and starts announcing the services.
  void start();
  // Removes the handlers, stops announcing, cuts open connections. Idempotent.
  void stop();

  ExposerStats stats() const;

 private:
  std::shared_ptr<ExposerCore> core_;
};

}  // namespace edgevpn::services
