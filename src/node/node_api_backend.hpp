// The HTTP API's view of a running node (api::ApiBackend over Node): ledger readers and announce
// loops, topic / peerstore / connected peers. Called on the node's io thread only.
#pragma once

#include "api/api_backend.hpp"
#include "node/node.hpp"

namespace edgevpn::node {

class NodeApiBackend : public api::ApiBackend {
 public:
  explicit NodeApiBackend(Node& node) : node_(node) {}

  std::string node_id() override;
  ledger::LedgerData current_data() override;
  std::string last_block_json() override;
  int64_t ledger_index() override;
  std::vector<std::string> available_nodes(std::chrono::seconds max_age) override;
  bool topic_joined() override;
  std::vector<std::string> topic_peers() override;
  std::vector<std::string> peerstore_peers() override;
  std::vector<std::string> connected_peers() override;
  void persist(std::string bucket, std::string key, std::string value_json,
               std::chrono::seconds timeout) override;
  void announce_delete(std::string bucket, std::string key, std::chrono::seconds timeout) override;
  void announce_delete_bucket(std::string bucket, std::chrono::seconds timeout) override;

 private:
  Node& node_;
};

}  // namespace edgevpn::node
