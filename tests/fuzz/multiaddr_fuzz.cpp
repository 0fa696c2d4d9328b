// Fuzzes the multiaddr binary and text decoders: they must never crash, and whatever they accept
// must round-trip (bytes -> parse -> bytes is the identity; text and binary forms agree).
#include <cstdlib>
#include <string_view>

#include "p2p/multiaddr/multiaddr.hpp"

namespace {

using edgevpn::p2p::Multiaddr;

void check(bool condition) {
  if (!condition) std::abort();
}

// Every accepted address must survive binary and text round trips unchanged.
void check_round_trips(const Multiaddr& addr) {
  const auto bytes = addr.bytes();
  auto from_bytes = Multiaddr::from_bytes(bytes);
  check(from_bytes.ok() && *from_bytes == addr && from_bytes->bytes() == bytes);
  const std::string text = addr.to_string();
  auto from_text = Multiaddr::parse(text);
  check(from_text.ok() && *from_text == addr && from_text->to_string() == text);
  // The helpers must not crash on anything accepted.
  (void)addr.peer_id();
  (void)addr.without_peer_id();
  (void)addr.tcp_endpoint();
  (void)addr.is_public();
  (void)addr.is_private();
  (void)addr.is_loopback();
  check(addr.encapsulate(addr).decapsulate(addr) == addr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const edgevpn::util::ByteView input(data, size);
  auto binary = Multiaddr::from_bytes(input);
  if (binary.ok()) {
    check(binary->bytes() == edgevpn::util::Bytes(data, data + size));
    check_round_trips(*binary);
  }
  auto text = Multiaddr::parse(edgevpn::util::as_string_view(input));
  if (text.ok()) check_round_trips(*text);
  return 0;
}
