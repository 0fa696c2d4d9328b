// The node's identity key: fresh at each start, or persisted with --privkey-cache in
// <dir>/privkey as libp2p's PrivateKey protobuf (what Go's crypto.MarshalPrivateKey writes).
#pragma once

#include <string>

#include "crypto/keys.hpp"
#include "util/result.hpp"

namespace edgevpn::node {

inline constexpr const char* kPrivkeyFileName = "privkey";

struct LoadedIdentity {
  crypto::PrivateKey key;
  std::string path;     // empty when not cached
  bool created = false;  // generated (and stored) on this run
};

// Loads <dir>/privkey when present and non-empty (as EdgeVPN does), else generates an Ed25519
// key and stores it: directory created 0700, file written 0600 (atomically, via rename).
util::Result<LoadedIdentity> load_or_create_identity(const std::string& dir);

// A fresh key, or the cached one when `cache` is set.
util::Result<LoadedIdentity> node_identity(bool cache, const std::string& dir);

}  // namespace edgevpn::node
