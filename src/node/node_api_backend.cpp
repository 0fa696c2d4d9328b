// NodeApiBackend: forwards to the node's live ledger, GossipSub and host.
#include "node/node_api_backend.hpp"

#include "ledger/block.hpp"
#include "ledger/live/live_ledger.hpp"
#include "p2p/gossip/pubsub_service.hpp"
#include "p2p/host/host.hpp"

namespace edgevpn::node {
namespace {

std::vector<std::string> to_base58(const std::vector<crypto::PeerId>& peers) {
  std::vector<std::string> out;
  out.reserve(peers.size());
  for (const auto& peer : peers) out.push_back(peer.to_base58());
  return out;
}

}  // namespace

std::string NodeApiBackend::node_id() { return node_.peer_id().to_base58(); }
ledger::LedgerData NodeApiBackend::current_data() { return node_.ledger().current_data(); }
std::string NodeApiBackend::last_block_json() {
  return ledger::encode_block(node_.ledger().last_block());
}
int64_t NodeApiBackend::ledger_index() { return node_.ledger().index(); }
std::vector<std::string> NodeApiBackend::available_nodes(std::chrono::seconds max_age) {
  return node_.ledger().available_nodes(max_age);
}
bool NodeApiBackend::topic_joined() {
  const auto topics = node_.pubsub().topics();
  return std::find(topics.begin(), topics.end(), node_.ledger().current_topic()) != topics.end();
}
std::vector<std::string> NodeApiBackend::topic_peers() {
  return to_base58(node_.ledger().topic_peers());
}
std::vector<std::string> NodeApiBackend::peerstore_peers() {
  return to_base58(node_.host().peerstore().peers());
}
std::vector<std::string> NodeApiBackend::connected_peers() {
  return to_base58(node_.host().connected_peers());
}
void NodeApiBackend::persist(std::string bucket, std::string key, std::string value_json,
                             std::chrono::seconds timeout) {
  node_.ledger().persist(std::move(bucket), std::move(key), std::move(value_json), timeout);
}
void NodeApiBackend::announce_delete(std::string bucket, std::string key,
                                     std::chrono::seconds timeout) {
  node_.ledger().announce_delete(std::move(bucket), std::move(key), timeout);
}
void NodeApiBackend::announce_delete_bucket(std::string bucket, std::chrono::seconds timeout) {
  node_.ledger().announce_delete_bucket(std::move(bucket), timeout);
}

}  // namespace edgevpn::node
