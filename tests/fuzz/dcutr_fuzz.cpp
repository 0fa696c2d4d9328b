// Fuzzes the DCUtR message decoder and both roles' state machines: frames never crash, what
// decodes re-encodes to the same message, and any decoded message fed to an initiator or a
// receiver in any state leaves it in a consistent state.
#include <cstdlib>

#include "p2p/holepunch/hole_punch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn;
  using namespace edgevpn::p2p::holepunch;
  static const std::vector<p2p::Multiaddr> ours = {*p2p::Multiaddr::parse("/ip4/5.5.5.2/tcp/4001")};
  util::ByteView input(data, size);
  util::SteadyTime now{};

  Initiator initiator;
  Receiver receiver;
  initiator.start({}, now);
  initiator.on_stream_opened(ours, now);
  receiver.on_stream(true, true, ours, now);
  // The input is a stream of frames, fed to both roles in turn.
  while (!input.empty()) {
    auto frame = read_frame(input);
    if (!frame.ok()) break;
    const auto encoded = encode(frame->message);
    auto again = decode(encoded);
    if (encoded.size() <= kMaxMessageSize && (!again.ok() || !(*again == frame->message))) {
      std::abort();
    }
    now += std::chrono::milliseconds(7);
    const Step from_initiator = initiator.on_message(frame->message, now);
    const Step from_receiver = receiver.on_message(frame->message, now);
    for (const Step* step : {&from_initiator, &from_receiver}) {
      if (step->dial && step->dial->addrs.empty()) std::abort();
      if (step->outcome == Outcome::kFailed && step->error.empty()) std::abort();
    }
    if (initiator.state() == Initiator::State::kPunching) {
      initiator.on_dial_result(false, now);
      initiator.on_stream_opened(ours, now);
    }
    input = input.subspan(frame->consumed);
  }
  return 0;
}
