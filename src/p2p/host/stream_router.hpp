// Protocol routing of streams (multistream-select): the handlers inbound streams are served by,
// and the negotiation of the streams we open. Part of HostCore (host_core.hpp).
#pragma once

#include <asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "p2p/host/connection.hpp"
#include "p2p/host/host.hpp"
#include "p2p/host/stream.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

class HostCore;

class StreamRouter {
 public:
  explicit StreamRouter(HostCore& core) : core_(core) {}

  // Handlers take effect for streams negotiated from now on; the caller pushes identify.
  void set_handler(const std::string& protocol, StreamHandler handler);
  bool remove_handler(const std::string& protocol);
  std::vector<std::string> protocols() const;

  // A stream the peer opened: negotiated, then served by its handler, in the host's task group.
  void serve(std::shared_ptr<StreamState> state);
  // Opens a stream on `conn` and agrees on the first of `protocols` the peer supports (the
  // stream is reset when that takes longer than the negotiation timeout).
  asio::awaitable<util::Result<Stream>> open(std::shared_ptr<Connection> conn,
                                             std::vector<std::string> protocols);

 private:
  asio::awaitable<void> serve_stream(std::shared_ptr<HostCore> self,
                                     std::shared_ptr<StreamState> state);

  HostCore& core_;
  std::map<std::string, StreamHandler, std::less<>> handlers_;
};

}  // namespace edgevpn::p2p::host
