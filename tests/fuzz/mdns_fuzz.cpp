// Fuzzes the DNS decoder with arbitrary packets and the mDNS record readers on what it accepts:
// never crashes, never loops, and decoded messages re-encode to the same message.
#include <cstdlib>

#include "crypto/hash.hpp"
#include "p2p/mdns/mdns_records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn;
  using namespace edgevpn::p2p::mdns;
  auto decoded = decode(util::ByteView(data, size));
  if (!decoded.ok()) return 0;
  auto wire = encode(*decoded);
  if (!wire.ok()) std::abort();
  auto again = decode(*wire);
  if (!again.ok() || !(*again == *decoded)) std::abort();

  static const crypto::PeerId self = [] {
    const auto digest = crypto::sha256(util::as_bytes("mdns-fuzz-self"));
    util::Bytes multihash{0x12, 0x20};
    multihash.insert(multihash.end(), digest.begin(), digest.end());
    return crypto::PeerId::from_bytes(multihash).value();
  }();
  (void)parse_response(*decoded, "_p2p._udp", self);
  LocalService local;
  local.instance = "fuzzinstance0123456789abcdefghijklmno";
  local.peer_id = self;
  local.addrs = {p2p::Multiaddr::parse("/ip4/192.168.0.2/tcp/4001").value()};
  (void)answer_query(*decoded, local);
  return 0;
}
