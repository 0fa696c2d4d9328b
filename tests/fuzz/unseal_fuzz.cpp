// Fuzzes what a node does with gossip from the network: envelope JSON decoding and AESSealer
// unsealing must never crash, and what decodes must re-encode and decode to the same envelope.
#include <cstdlib>
#include <string_view>

#include "ledger/envelope.hpp"
#include "ledger/sealer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn::ledger;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kKey = "a89467c668bac45b14921cf589c02fb8";

  (void)AesSealer::unseal(input, kKey);

  auto envelope = decode_envelope(input);
  if (envelope.ok()) {
    (void)AesSealer::unseal(envelope->message, kKey);
    auto again = decode_envelope(encode_envelope(*envelope));
    if (!again.ok()) std::abort();
  }

  // Sealing what we were given must always open again with the same key.
  auto sealed = AesSealer::seal(input, kKey);
  auto opened = AesSealer::unseal(sealed, kKey);
  if (!opened.ok() || *opened != input) std::abort();
  return 0;
}
