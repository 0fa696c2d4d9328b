// The machines bucket's value (spec 10.1): Go's Machine struct as JSON.
#pragma once

#include <optional>
#include <string>

namespace edgevpn::node {

// Machine{PeerID, Hostname, OS, Arch, Address, Version} of this host, as Go's encoding/json
// writes it.
std::string machine_json(const std::string& peer, const std::string& address,
                         const std::string& version);

// The PeerID of a machines value; nullopt for a value that is not a Machine.
std::optional<std::string> machine_peer(const std::string& value_json);

}  // namespace edgevpn::node
