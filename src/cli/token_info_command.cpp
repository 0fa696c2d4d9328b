// `edgevpn token-info` (hidden; not an EdgeVPN command): prints what this node derives from the
// token at a given time, to compare with other nodes and to debug rotation and clock skew.
#include <chrono>
#include <iostream>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "crypto/peer_id.hpp"
#include "ledger/derivations.hpp"
#include "ledger/otp.hpp"
#include "node/config/identity_cache.hpp"

namespace edgevpn::cli {

int run_token_info(const node::Options& options) {
  auto setup = prepare_network_command(options);
  if (!setup) return kExitFailure;
  const auto& network = setup->network;
  int64_t now = options.at_unix_seconds >= 0
                    ? options.at_unix_seconds
                    : std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string rendezvous = ledger::dht_rendezvous(network.dht, network.rendezvous, now);
  bool dht_on = options.dht && network.dht_enabled();
  bool mdns_on = options.mdns && network.mdns_enabled();
  auto& out = std::cout;
  out << "time: " << now << "\n";
  out << "crypto otp counter: " << ledger::totp_counter(now, network.crypto.interval)
      << " (interval " << network.crypto.interval << " s, length " << network.crypto.length
      << ")\n";
  out << "seal key: " << ledger::seal_key(network.crypto, now) << "\n";
  out << "ledger topic: " << ledger::ledger_topic(network.room, network.crypto, now) << "\n";
  out << "public topic: " << ledger::public_topic(network.room, network.crypto, now) << "\n";
  if (!network.dht.key.empty()) {
    out << "dht otp counter: " << ledger::totp_counter(now, network.dht.interval) << " (interval "
        << network.dht.interval << " s, length "
        << (network.dht.length == 0 ? ledger::kDhtDefaultLength : network.dht.length) << ")\n";
  }
  out << "dht rendezvous: " << rendezvous << "\n";
  out << "dht rendezvous cid: " << ledger::rendezvous_cid_string(rendezvous) << "\n";
  out << "mdns service: " << network.mdns << "\n";
  out << "max message size: " << network.max_message_size << "\n";
  out << "dht discovery: " << (dht_on ? "on" : "off") << "\n";
  out << "mdns discovery: " << (mdns_on ? "on" : "off") << "\n";
  out << "ownership: " << node::ownership_name(setup->ownership) << "\n";
  if (options.privkey_cache) {
    auto identity = node::load_or_create_identity(options.privkey_cache_dir);
    if (!identity.ok()) return fail(identity.error().message);
    out << "peer id: " << crypto::PeerId::from_public_key(identity->key.public_key()).to_base58()
        << (identity->created ? " (new key stored in " : " (loaded from ") << identity->path
        << ")\n";
  }
  return std::cout ? 0 : kExitFailure;
}

}  // namespace edgevpn::cli
