// identify and identify-push: building, sending, reading and applying identify messages, and the
// host's identify service.
#include "p2p/host/identify_service.hpp"

#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "p2p/host/host_core.hpp"
#include "util/log/log.hpp"

namespace edgevpn::p2p::host {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.identify");
  return log;
}

}  // namespace

util::Status apply_identify(Peerstore& peerstore, const crypto::PeerId& peer,
                            const identify::IdentifyInfo& info) {
  if (info.public_key) {
    auto key = crypto::PublicKey::from_protobuf(*info.public_key);
    if (!key || !peer.matches(*key)) {
      return util::make_error(util::Errc::kCrypto, "identify public key does not match peer ID");
    }
    peerstore.set_public_key(peer, *key);
  }
  peerstore.set_agent(peer, info.agent_version.value_or(""), info.protocol_version.value_or(""));
  peerstore.set_protocols(peer, info.protocols);
  std::vector<Multiaddr> addrs;
  for (const auto& bytes : info.listen_addrs) {
    if (auto addr = Multiaddr::from_bytes(bytes)) addrs.push_back(std::move(*addr));
  }
  if (!addrs.empty()) peerstore.add_addrs(peer, addrs);
  if (info.observed_addr) {
    if (auto addr = Multiaddr::from_bytes(*info.observed_addr)) {
      peerstore.set_observed_addr(peer, std::move(*addr));
    }
  }
  return {};
}

asio::awaitable<util::Status> read_identify(Peerstore& peerstore, Stream stream) {
  auto data = co_await stream.read_to_end(identify::kMaxStreamBytes);
  if (!data) {
    stream.reset();
    co_return data.error();
  }
  auto info = identify::decode_stream(*data);
  if (!info) co_return info.error();
  co_return apply_identify(peerstore, stream.remote_peer(), *info);
}

asio::awaitable<util::Status> send_identify(identify::IdentifyInfo ours, Stream stream) {
  const auto message = identify::encode_framed(ours);
  auto status = co_await stream.write_all(message);
  if (!status) {
    stream.reset();
    co_return status;
  }
  co_return stream.close();
}

asio::awaitable<void> serve_identify(identify::IdentifyInfo ours, Stream stream) {
  if (auto status = co_await send_identify(std::move(ours), stream); !status) {
    logger()->debug("identify to {} failed: {}", stream.remote_peer().to_base58(),
                    status.error().describe());
  }
}

asio::awaitable<void> serve_identify_push(Peerstore& peerstore, Stream stream) {
  auto status = co_await read_identify(peerstore, stream);
  if (!status) {
    logger()->debug("identify push from {} rejected: {}", stream.remote_peer().to_base58(),
                    status.error().describe());
  }
  (void)stream.close();
}

// --- IdentifyService ----------------------------------------------------------------------------

void IdentifyService::install_handlers() {
  // Handlers run inside the host's serve_stream, whose `self` keeps the core (and `this`) alive.
  core_.streams.set_handler(std::string(identify::kProtocolId), [this](Stream s) {
    auto ours = info_for(s.remote_addr());
    return serve_identify(std::move(ours), std::move(s));
  });
  core_.streams.set_handler(std::string(identify::kPushProtocolId), [this](Stream s) {
    return serve_identify_push(core_.peerstore, std::move(s));
  });
}

identify::IdentifyInfo IdentifyService::info_for(const Multiaddr& observed) const {
  identify::IdentifyInfo info;
  info.protocol_version = std::string(identify::kProtocolVersion);
  info.agent_version = core_.config.agent_version;
  info.public_key = core_.identity.public_key().to_protobuf();
  for (const auto& addr : core_.listener.advertised()) info.listen_addrs.push_back(addr.bytes());
  if (!observed.empty()) info.observed_addr = observed.bytes();
  info.protocols = core_.streams.protocols();
  return info;
}

void IdentifyService::on_connection(const std::shared_ptr<Connection>& conn) {
  core_.tasks.spawn(identify_connection(core_.shared_from_this(), conn), "identify");
}

asio::awaitable<void> IdentifyService::identify_connection(std::shared_ptr<HostCore> self,
                                                           std::shared_ptr<Connection> conn) {
  const crypto::PeerId peer = conn->remote_peer();
  std::vector<std::string> protocols{std::string(identify::kProtocolId)};
  auto stream = co_await core_.streams.open(conn, std::move(protocols));
  if (core_.destroyed) co_return;
  if (!stream) {
    logger()->debug("identify with {} failed: {}", peer.to_base58(), stream.error().describe());
    co_return;
  }
  auto status = co_await read_identify(core_.peerstore, *stream);
  if (core_.destroyed) co_return;
  if (!status) {
    logger()->debug("identify from {} rejected: {}", peer.to_base58(), status.error().describe());
    co_return;
  }
  if (conn->closed()) co_return;
  core_.connections.mark_identified(peer);
}

void IdentifyService::schedule_push() {
  if (!core_.config.enable_identify || push_scheduled_ || core_.connections.count() == 0) return;
  push_scheduled_ = true;
  core_.tasks.spawn(push_all(core_.shared_from_this()), "identify push");
}

asio::awaitable<void> IdentifyService::push_all(std::shared_ptr<HostCore> self) {
  // Yield once so several handler changes in a row make one push.
  co_await asio::post(core_.executor, asio::use_awaitable);
  push_scheduled_ = false;
  for (const auto& peer : core_.connections.connected_peers()) {
    // After every suspension, the previous push's included: the host may be closing or gone.
    if (core_.closing) co_return;
    if (!core_.connections.is_identified(peer) ||
        !core_.peerstore.supports(peer, identify::kPushProtocolId)) {
      continue;
    }
    auto conn = core_.connections.live(peer);
    if (!conn) continue;
    std::vector<std::string> protocols{std::string(identify::kPushProtocolId)};
    auto stream = co_await core_.streams.open(conn, std::move(protocols));
    if (core_.closing) co_return;
    if (stream) (void)co_await send_identify(info_for(stream->remote_addr()), *stream);
  }
}

}  // namespace edgevpn::p2p::host
