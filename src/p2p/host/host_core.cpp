// HostCore: start, close and shutdown of the host's parts, and what listening and dialling share.
#include "p2p/host/host_core.hpp"

#include <asio/io_context.hpp>

#include "p2p/host/ping_service.hpp"
#include "p2p/ping/ping_payload.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::host {
namespace {

using util::Errc;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.host");
  return log;
}

}  // namespace

bool is_protocol_violation(Errc code) {
  return code == Errc::kCrypto || code == Errc::kMalformed || code == Errc::kProtocol ||
         code == Errc::kTooLarge || code == Errc::kUnsupported || code == Errc::kTruncated;
}

HostCore::HostCore(asio::io_context& io, crypto::PrivateKey identity_in, HostConfig config_in)
    : executor(io.get_executor()),
      identity(std::move(identity_in)),
      peer_id(crypto::PeerId::from_public_key(identity.public_key())),
      config(std::move(config_in)),
      streams(*this),
      connections(*this),
      identify(*this),
      dialer(*this),
      listener(*this),
      tasks(executor, "host") {}

util::Status HostCore::start() {
  if (config.enable_identify) identify.install_handlers();
  if (config.enable_ping) {
    streams.set_handler(std::string(ping::kProtocolId),
                        [](Stream s) { return serve_ping(std::move(s)); });
  }
  return listener.listen(config.listen_addrs);
}

asio::awaitable<void> HostCore::close() {
  closing = true;
  listener.close();
  co_await connections.close_gracefully(std::nullopt);
  tasks.cancel();
  co_await tasks.wait();
}

void HostCore::shutdown() {
  destroyed = true;
  closing = true;
  listener.close();
  connections.abort_all(util::make_error(Errc::kClosed, "host destroyed"));
  tasks.cancel();
}

bool HostCore::gate_allows(const Multiaddr& remote, const crypto::PeerId* peer) {
  if (destroyed) return false;
  if (!gate || gate(remote, peer)) return true;
  ++stats.rejected_connections;
  logger()->debug("connection gate refused {}{}", remote.to_string(),
                  peer ? " (" + peer->to_base58() + ")" : std::string());
  return false;
}

void HostCore::count_upgrade_failure(const util::Error& error) {
  ++stats.failed_upgrades;
  if (is_protocol_violation(error.code)) ++stats.protocol_errors;
}

}  // namespace edgevpn::p2p::host
