// A libp2p stream as coroutines see it: one yamux stream whose protocol was agreed with
// multistream-select. Cheap to copy (a shared handle); all calls on the host's io_context thread.
#pragma once

#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

struct StreamState;

class Stream {
 public:
  Stream() = default;
  explicit Stream(std::shared_ptr<StreamState> state) : state_(std::move(state)) {}

  bool valid() const { return state_ != nullptr; }
  // Waits for data; returns how many bytes were copied into `out`, 0 at the end of the stream
  // (the peer closed its side). kClosed / kIo / kProtocol after a reset or a lost connection.
  asio::awaitable<util::Result<size_t>> read_some(std::span<uint8_t> out);
  // Zero-copy reading: waits for data, then moves whole received chunks (about max_bytes in
  // all) onto `out`; returns their size, 0 at the end of the stream. Errors as read_some.
  asio::awaitable<util::Result<size_t>> read_chunks(std::vector<util::Bytes>& out,
                                                    size_t max_bytes);
  // Fills `out` completely; kTruncated when the stream ends first.
  asio::awaitable<util::Status> read_exact(std::span<uint8_t> out);
  // Reads until the end of the stream; kTooLarge beyond `max_bytes`.
  asio::awaitable<util::Result<util::Bytes>> read_to_end(size_t max_bytes);
  // Writes everything, waiting whenever the peer's yamux window or the connection's send
  // buffer is full.
  asio::awaitable<util::Status> write_all(util::ByteView data);
  // Half-close: we send no more; reading goes on until the peer closes too.
  util::Status close();
  // Aborts both directions (yamux RST); pending reads and writes fail.
  void reset();

  const crypto::PeerId& remote_peer() const;
  // The remote end of the connection carrying the stream (/ip4|ip6/.../tcp/N).
  const Multiaddr& remote_addr() const;
  const std::string& protocol() const;
  uint32_t id() const;
  bool is_reset() const;

 private:
  std::shared_ptr<StreamState> state_;
};

}  // namespace edgevpn::p2p::host
