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

identify::IdentifyInfo make_identify_info(const Host& host, const Multiaddr& observed) {
  identify::IdentifyInfo info;
  info.protocol_version = std::string(identify::kProtocolVersion);
  info.agent_version = host.agent_version();
  info.public_key = host.public_key().to_protobuf();
  for (const auto& addr : host.advertised_addrs()) info.listen_addrs.push_back(addr.bytes());
  if (!observed.empty()) info.observed_addr = observed.bytes();
  info.protocols = host.protocols();
  return info;
}

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

asio::awaitable<util::Status> read_identify(Host& host, Stream stream) {
  auto data = co_await stream.read_to_end(identify::kMaxStreamBytes);
  if (!data) {
    stream.reset();
    co_return data.error();
  }
  auto info = identify::decode_stream(*data);
  if (!info) co_return info.error();
  co_return apply_identify(host.peerstore(), stream.remote_peer(), *info);
}

asio::awaitable<void> serve_identify(Host& host, Stream stream) {
  const auto message = identify::encode_framed(make_identify_info(host, stream.remote_addr()));
  if (auto status = co_await stream.write_all(message); !status) {
    logger()->debug("identify to {} failed: {}", stream.remote_peer().to_base58(),
                    status.error().describe());
    stream.reset();
    co_return;
  }
  (void)stream.close();
}

asio::awaitable<void> serve_identify_push(Host& host, Stream stream) {
  auto status = co_await read_identify(host, stream);
  if (!status) {
    logger()->debug("identify push from {} rejected: {}", stream.remote_peer().to_base58(),
                    status.error().describe());
  }
  (void)stream.close();
}

asio::awaitable<util::Status> send_identify_push(Host& host, Stream stream) {
  const auto message = identify::encode_framed(make_identify_info(host, stream.remote_addr()));
  auto status = co_await stream.write_all(message);
  if (!status) {
    stream.reset();
    co_return status;
  }
  co_return stream.close();
}

}  // namespace edgevpn::p2p::host
