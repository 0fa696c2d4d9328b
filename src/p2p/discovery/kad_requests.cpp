// OutboundRequests: one DHT request on a fresh stream, and what its answer teaches us.
#include "p2p/discovery/kad_core.hpp"
#include "p2p/discovery/kad_wire.hpp"

namespace edgevpn::p2p::discovery {

using util::Errc;
using util::make_error;

void OutboundRequests::remember(const kad::PeerInfo& peer) {
  if (peer.id.empty() || peer.id == core_.host.peer_id() || peer.addrs.empty()) return;
  std::vector<Multiaddr> addrs;
  for (const auto& addr : kad::capped(peer).addrs) addrs.push_back(addr.without_peer_id());
  core_.host.peerstore().add_addrs(peer.id, addrs);
}

asio::awaitable<util::Result<kad::Message>> OutboundRequests::send(kad::PeerInfo peer,
                                                                   kad::Message request) {
  ++core_.stats.queries_sent;
  remember(peer);
  std::vector<std::string> protocols{core_.config.protocol};
  auto stream = co_await core_.host.new_stream(peer.id, std::move(protocols));
  if (core_.stopped) {
    if (stream) stream->reset();
    co_return make_error(Errc::kClosed, "DHT stopped");
  }
  if (!stream) {
    ++core_.stats.queries_failed;
    co_return stream.error();
  }
  StreamDeadline deadline(core_.executor, *stream, core_.config.query_timeout);
  if (auto written = co_await stream->write_all(kad::encode_framed(request)); !written) {
    ++core_.stats.queries_failed;
    stream->reset();
    co_return written.error();
  }
  if (request.type == kad::MessageType::kAddProvider) {
    (void)stream->close();
    co_return request;
  }
  util::Bytes buffer;
  auto response = co_await read_message(*stream, buffer, core_.config.max_message_size,
                                        core_.config.query_timeout);
  if (core_.stopped) {
    stream->reset();
    co_return make_error(Errc::kClosed, "DHT stopped");
  }
  if (!response) {
    ++core_.stats.queries_failed;
    stream->reset();
    co_return response.error();
  }
  (void)stream->close();
  for (const auto& closer : response->closer_peers) remember(closer);
  for (const auto& provider : response->provider_peers) remember(provider);
  co_return std::move(*response);
}

}  // namespace edgevpn::p2p::discovery
