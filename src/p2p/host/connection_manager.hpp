// Connection manager (go-libp2p connmgr's watermarks): when more than `high_water` peers are
// connected, disconnect peers until `low_water` remain, sparing protected peers and peers
// connected for less than the grace period. The choice is a pure function (select_peers_to_trim);
// the class watches the host and applies it.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/host/host.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::p2p::host {

struct ConnectionManagerConfig {
  // go-libp2p's defaults (EdgeVPN keeps them unless both watermarks are given).
  size_t low_water = 160;
  size_t high_water = 192;
  std::chrono::milliseconds grace{std::chrono::seconds(80)};
  // Also checked whenever a peer connects.
  std::chrono::milliseconds check_interval{std::chrono::seconds(10)};
};

struct TrimCandidate {
  crypto::PeerId peer;
  std::chrono::steady_clock::time_point connected_at;
  bool is_protected = false;
};

// The peers to disconnect: none while at most `high_water` are connected; otherwise the newest
// unprotected peers past their grace period, until `low_water` would remain (fewer when too many
// are protected or young).
std::vector<crypto::PeerId> select_peers_to_trim(std::vector<TrimCandidate> peers, size_t low_water,
                                                 size_t high_water, std::chrono::milliseconds grace,
                                                 std::chrono::steady_clock::time_point now);

struct ConnectionManagerStats {
  uint64_t trims = 0;  // rounds that closed something
  uint64_t peers_closed = 0;
};

class ConnectionManager {
 public:
  ConnectionManager(asio::io_context& io, Host& host, ConnectionManagerConfig config = {});
  ~ConnectionManager();
  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  // Peers for which `is_protected` returns true are never trimmed. One predicate; set before
  // start().
  void protect_if(std::function<bool(const crypto::PeerId&)> is_protected);
  void start();
  void stop();
  // One check now; returns how many peers it disconnected.
  asio::awaitable<size_t> trim();

  const ConnectionManagerConfig& config() const;
  ConnectionManagerStats stats() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgevpn::p2p::host
