// Fuzzes the VPN packet core on arbitrary bytes: IP header parsing, the /edgevpn/0.1 stream
// splitter and the fast-path decoder (fed in chunks chosen by the input), and ICMP generation.
#include <cstdlib>
#include <vector>

#include "vpn/packet/fast_framing.hpp"
#include "vpn/packet/icmp_unreachable.hpp"
#include "vpn/packet/ip_packet.hpp"
#include "vpn/packet/packet_splitter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn;
  using namespace edgevpn::vpn;
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  const util::ByteView input(data + 1, size - 1);

  auto header = parse_ip_header(input);
  if (header.ok() &&
      (header->total_length > input.size() || header->header_length > header->total_length)) {
    std::abort();
  }
  if (auto reply = make_destination_unreachable(input)) {
    auto reply_header = parse_ip_header(*reply);
    if (!reply_header.ok() || reply_header->total_length != reply->size() || reply->size() > 1280) {
      std::abort();
    }
  }

  // Splitting in chunks must give the same packets as splitting in one go.
  std::vector<util::Bytes> whole, pieces;
  PacketSplitter one(1500), many(1500);
  const bool one_ok =
      one.feed(input, [&](util::ByteView p) { whole.emplace_back(p.begin(), p.end()); }).ok();
  bool many_ok = true;
  for (size_t offset = 0; offset < input.size() && many_ok; offset += chunk) {
    const auto part = input.subspan(offset, std::min(chunk, input.size() - offset));
    many_ok =
        many.feed(part, [&](util::ByteView p) { pieces.emplace_back(p.begin(), p.end()); }).ok();
  }
  if (one_ok != many_ok || whole != pieces) std::abort();
  for (const auto& packet : whole) {
    auto length = ip_packet_length(packet);
    if (!length.ok() || *length != packet.size()) std::abort();
  }

  // Fast-frame decoding, and re-encoding what it accepted reproduces the consumed bytes.
  FastFrameDecoder decoder;
  FastFrameEncoder encoder;
  bool decoder_ok = true;
  for (size_t offset = 0; offset < input.size() && decoder_ok; offset += chunk) {
    const auto part = input.subspan(offset, std::min(chunk, input.size() - offset));
    decoder_ok = decoder
                     .feed(part,
                           [&](util::ByteView p) {
                             if (!encoder.append(p).ok()) std::abort();
                           })
                     .ok();
  }
  const auto encoded = encoder.buffer();
  if (encoded.size() > input.size() || !std::equal(encoded.begin(), encoded.end(), input.begin())) {
    std::abort();
  }
  return 0;
}
