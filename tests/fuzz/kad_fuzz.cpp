// Fuzzes the Kademlia message decoder, the DHT server handlers and the lookup's response path:
// never crashes, and whatever decodes re-encodes to the same message.
#include <cstdlib>
#include <memory>
#include <string>

#include "crypto/hash.hpp"
#include "p2p/kad/dht_server.hpp"
#include "p2p/kad/lookup.hpp"

namespace {

using namespace edgevpn;

crypto::PeerId fuzz_peer_id(int n) {
  const auto digest = crypto::sha256(util::as_bytes("fuzz-peer-" + std::to_string(n)));
  util::Bytes multihash{0x12, 0x20};
  multihash.insert(multihash.end(), digest.begin(), digest.end());
  return crypto::PeerId::from_bytes(multihash).value();
}

struct Fixture {
  Fixture()
      : table(fuzz_peer_id(0)),
        store(p2p::kad::ProviderStoreLimits{std::chrono::hours(1), 64, 8}),
        server(table, store) {
    for (int n = 1; n <= 40; ++n) {
      p2p::kad::PeerInfo peer;
      peer.id = fuzz_peer_id(n);
      peer.addrs.push_back(
          p2p::Multiaddr::parse("/ip4/10.0.0." + std::to_string(n) + "/tcp/4001").value());
      (void)table.update(peer, {});
      seeds.push_back(peer);
    }
  }
  p2p::kad::RoutingTable table;
  p2p::kad::ProviderStore store;
  p2p::kad::DhtServer server;
  std::vector<p2p::kad::PeerInfo> seeds;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn::p2p::kad;
  static Fixture fixture;
  const edgevpn::util::ByteView input(data, size);

  auto framed = read_frame(input);
  (void)framed;
  auto decoded = decode(input);
  if (!decoded.ok()) return 0;
  auto again = decode(encode(*decoded));
  if (!again.ok() || !(*again == *decoded)) std::abort();

  const auto from = fuzz_peer_id(static_cast<int>(size % 50));
  auto response = fixture.server.handle_request(*decoded, from, edgevpn::util::SteadyTime{});
  if (response.ok() && response->has_value()) (void)encode(**response);

  Lookup lookup(decoded->type == MessageType::kGetProviders ? MessageType::kGetProviders
                                                            : MessageType::kFindNode,
                decoded->key, fixture.table.self(), fixture.seeds);
  auto requests = lookup.next_requests(edgevpn::util::SteadyTime{});
  for (const auto& request : requests) lookup.on_response(request.peer.id, *decoded, {});
  (void)lookup.next_requests(edgevpn::util::SteadyTime{});
  (void)lookup.closest();
  (void)lookup.done();
  return 0;
}
