// GossipSub on the host (I/O): runs the sans-I/O router on the host's io_context, keeps one
// outbound pubsub stream per peer that speaks meshsub or floodsub, reads every inbound one, and
// delivers messages of joined topics to their handlers. All calls on the io_context's thread.
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/host/host.hpp"
#include "p2p/pubsub/gossipsub_config.hpp"
#include "p2p/pubsub/gossipsub_router.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace asio {
class io_context;
}

namespace edgevpn::p2p::gossip {

using MessageHandler = std::function<void(const pubsub::MessageEvent&)>;

struct PubsubStats {
  uint64_t messages_received = 0;   // delivered to a topic handler
  uint64_t messages_published = 0;
  uint64_t bad_rpcs = 0;            // malformed or oversized RPC streams (peer disconnected)
  uint64_t invalid_messages = 0;    // unsigned, badly signed or otherwise refused messages
  uint64_t streams_opened = 0;      // outbound pubsub streams
  uint64_t frames_dropped = 0;      // RPCs dropped because a peer's send queue was full
};

class PubsubService {
 public:
  // `key` must be the host's identity (messages are signed with it, StrictSign). `io` is the
  // host's io_context.
  PubsubService(asio::io_context& io, host::Host& host, crypto::PrivateKey key,
                pubsub::RouterConfig config = {});
  ~PubsubService();
  PubsubService(const PubsubService&) = delete;
  PubsubService& operator=(const PubsubService&) = delete;

  // Registers the stream handlers and starts the heartbeat; peers already connected are added.
  void start();
  // Stops the heartbeat and the stream loops (streams are reset).
  void stop();

  // Joins `topic` (idempotent; the handler is replaced) / leaves it.
  void join(const std::string& topic, MessageHandler handler);
  void leave(const std::string& topic);
  // Signs and sends a message to the topic (flood publish). kTooLarge beyond max_message_size.
  util::Result<pubsub::MessageId> publish(const std::string& topic, util::ByteView data);

  // A peer appeared on or left a topic we joined (its subscription changed).
  void on_topic_peer(std::function<void(const std::string& topic, const crypto::PeerId& peer,
                                        bool joined)> callback);

  std::vector<std::string> topics() const;
  std::vector<crypto::PeerId> topic_peers(const std::string& topic) const;
  std::vector<crypto::PeerId> mesh_peers(const std::string& topic) const;
  // The pubsub protocol negotiated with `peer` ("" when no pubsub stream is up).
  std::string peer_protocol(const crypto::PeerId& peer) const;
  const pubsub::GossipsubRouter& router() const;
  PubsubStats stats() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgevpn::p2p::gossip
