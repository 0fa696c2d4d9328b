// The ping protocol's two sides.
#include "p2p/host/ping_service.hpp"

#include <array>

#include "crypto/random.hpp"
#include "p2p/ping/ping_payload.hpp"

namespace edgevpn::p2p::host {

asio::awaitable<void> serve_ping(Stream stream) {
  std::array<uint8_t, ping::kPayloadSize> payload{};
  for (;;) {
    auto status = co_await stream.read_exact(payload);
    if (!status) break;  // end of stream (or reset): the pinger is done
    if (!(co_await stream.write_all(payload))) break;
  }
  (void)stream.close();
}

asio::awaitable<util::Result<std::chrono::nanoseconds>> ping_once(Stream stream) {
  const util::Bytes payload = crypto::random_bytes(ping::kPayloadSize);
  std::array<uint8_t, ping::kPayloadSize> echoed{};
  const auto start = std::chrono::steady_clock::now();
  if (auto status = co_await stream.write_all(payload); !status) {
    stream.reset();
    co_return status.error();
  }
  if (auto status = co_await stream.read_exact(echoed); !status) {
    stream.reset();
    co_return status.error();
  }
  const auto rtt = std::chrono::steady_clock::now() - start;
  if (auto status = ping::check_echo(payload, echoed); !status) {
    stream.reset();
    co_return status.error();
  }
  (void)stream.close();
  co_return std::chrono::duration_cast<std::chrono::nanoseconds>(rtt);
}

}  // namespace edgevpn::p2p::host
