// Fuzzes the identify stream decoder: never crashes, and what it accepts re-encodes to a message
// that decodes to the same value.
#include <cstdlib>

#include "p2p/identify/identify_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn::p2p::identify;
  auto decoded = decode_stream(edgevpn::util::ByteView(data, size));
  if (decoded.ok()) {
    auto encoded = encode(*decoded);
    if (encoded.size() > kMaxMessageSize) return 0;  // several merged messages may exceed one's limit
    auto again = decode(encoded);
    if (!again.ok() || !(*again == *decoded)) std::abort();
  }
  return 0;
}
