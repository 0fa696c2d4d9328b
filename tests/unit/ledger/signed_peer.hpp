// Test helper shared by the ledger tests: a deterministic signing identity and entries it signs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "entry_builder.hpp"
#include "ledger/ledger_state.hpp"

namespace edgevpn::ledger {

struct Peer {
  crypto::PrivateKey key;
  std::string id;
};

inline Peer make_peer(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  auto key = crypto::PrivateKey::ed25519_from_seed(seed);
  std::string id = crypto::PeerId::from_public_key(key.public_key()).to_base58();
  return Peer{key, id};
}

inline Entry signed_entry_at(const Peer& peer, std::string_view bucket, std::string_view key,
                             std::string value, uint64_t version, util::WallTime now) {
  Entry entry = make_entry(std::move(value), "", version, unix_seconds(now));
  sign_entry(bucket, key, entry, peer.key, peer.id);
  return entry;
}

}  // namespace edgevpn::ledger
