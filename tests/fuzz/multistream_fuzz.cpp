// Fuzzes the multistream-select negotiator: a dialer and a listener fed arbitrary bytes in
// arbitrary chunks, plus the message and ls decoders. Nothing may crash; leftovers stay bounded.
#include <cstdlib>

#include "p2p/multistream/multistream_message.hpp"
#include "p2p/multistream/multistream_negotiator.hpp"

using namespace edgevpn;
using namespace edgevpn::p2p::multistream;

namespace {

void drive(Negotiator negotiator, util::ByteView data, size_t chunk) {
  while (!data.empty()) {
    const size_t take = std::min(chunk, data.size());
    const auto status = negotiator.feed(data.first(take));
    (void)negotiator.take_output();
    if (!status.ok()) {
      if (!negotiator.failed()) std::abort();
      return;
    }
    if (negotiator.done() && !negotiator.selected()) std::abort();
    data = data.subspan(take);
  }
  (void)negotiator.take_leftover();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = (data[0] & 0x3f) + 1;
  const bool lazy = (data[0] & 0x40) != 0;
  const util::ByteView input(data + 1, size - 1);

  drive(Negotiator::dialer({"/noise", "/yamux/1.0.0"}, false), input, chunk);
  drive(Negotiator::dialer({"/noise"}, lazy), input, chunk);
  drive(Negotiator::listener({"/noise", "/tls/1.0.0"}), input, chunk);

  auto message = decode_message(input);
  if (message.ok()) {
    if (message->consumed > input.size()) std::abort();
    (void)decode_ls_response(message->line);
  }
  return 0;
}
