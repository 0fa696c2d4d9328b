// --blacklist (spec 1.3, 7.1): CIDRs and peer IDs whose connections the host refuses. EdgeVPN
// compares peer IDs as undecoded strings and so never matches them (spec 15); we decode them.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "crypto/peer_id.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::host {

// An IPv4 or IPv6 network: address bytes and prefix length.
struct IpPrefix {
  util::Bytes network;  // 4 or 16 bytes, host bits cleared
  unsigned bits = 0;

  // "10.0.0.0/8", "fd00::/8"; a bare address is a /32 or /128.
  static util::Result<IpPrefix> parse(std::string_view text);
  bool contains(util::ByteView ip) const;
};

class Blacklist {
 public:
  // Each entry is a CIDR, an IP address or a peer ID; kInvalidArgument names the first entry
  // that is none of them.
  static util::Result<Blacklist> parse(const std::vector<std::string>& entries);

  bool empty() const { return prefixes_.empty() && peers_.empty(); }
  bool blocks_addr(const Multiaddr& addr) const;
  bool blocks_peer(const crypto::PeerId& peer) const;
  // The host's connection gate: false when the address or the peer is listed.
  bool allows(const Multiaddr& addr, const crypto::PeerId* peer) const;

 private:
  std::vector<IpPrefix> prefixes_;
  std::unordered_set<crypto::PeerId> peers_;
};

}  // namespace edgevpn::p2p::host
