// identify and identify-push: building, sending, reading and applying identify messages.
#include "p2p/host/identify_service.hpp"

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

}  // namespace edgevpn::p2p::host
