// The inbound side: stream handlers for the fast path and for Go EdgeVPN's /edgevpn/0.1, which
// check the peer (spec 7.4), cut packets out of the stream and hand them to the TUN.
#pragma once

#include <asio/awaitable.hpp>
#include <cstddef>
#include <memory>

#include "p2p/host/stream.hpp"
#include "vpn/service/vpn_config.hpp"

namespace edgevpn::vpn {

struct ServiceCore;

// `core` may be null (the service is gone): the stream is reset.
asio::awaitable<void> serve_fastpath_stream(std::shared_ptr<ServiceCore> core,
                                            p2p::host::Stream stream);
asio::awaitable<void> serve_legacy_stream(std::shared_ptr<ServiceCore> core,
                                          p2p::host::Stream stream);

}  // namespace edgevpn::vpn
