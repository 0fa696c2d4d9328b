// Blacklist: CIDR and peer ID matching for the connection gate.
#include "p2p/host/blacklist.hpp"

#include <algorithm>
#include <charconv>

namespace edgevpn::p2p::host {

util::Result<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto ip = ip_from_string(text.substr(0, slash));
  if (!ip) return ip.error();
  IpPrefix out;
  const unsigned max_bits = static_cast<unsigned>(ip->size() * 8);
  out.bits = max_bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    unsigned bits = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
        bits > max_bits) {
      return util::make_error(util::Errc::kInvalidArgument,
                              "bad prefix length in " + std::string(text));
    }
    out.bits = bits;
  }
  out.network = std::move(*ip);
  for (size_t i = 0; i < out.network.size(); ++i) {
    const unsigned first = static_cast<unsigned>(i * 8);
    if (first >= out.bits) {
      out.network[i] = 0;
    } else if (out.bits - first < 8) {
      out.network[i] &= static_cast<uint8_t>(0xff << (8 - (out.bits - first)));
    }
  }
  return out;
}

bool IpPrefix::contains(util::ByteView ip) const {
  if (ip.size() != network.size()) return false;
  unsigned left = bits;
  for (size_t i = 0; i < ip.size() && left > 0; ++i) {
    const unsigned take = std::min(left, 8u);
    const auto mask = static_cast<uint8_t>(0xff << (8 - take));
    if ((ip[i] & mask) != (network[i] & mask)) return false;
    left -= take;
  }
  return true;
}

util::Result<Blacklist> Blacklist::parse(const std::vector<std::string>& entries) {
  Blacklist out;
  for (const auto& entry : entries) {
    if (entry.empty()) continue;
    if (auto prefix = IpPrefix::parse(entry)) {
      out.prefixes_.push_back(std::move(*prefix));
    } else if (auto peer = crypto::PeerId::parse(entry)) {
      out.peers_.insert(std::move(*peer));
    } else {
      return util::make_error(util::Errc::kInvalidArgument,
                              entry + ": neither a CIDR nor a peer ID");
    }
  }
  return out;
}

bool Blacklist::blocks_addr(const Multiaddr& addr) const {
  if (auto peer = addr.peer_id(); peer && blocks_peer(*peer)) return true;
  const auto ip = addr.ip_bytes();
  if (!ip) return false;
  for (const auto& prefix : prefixes_) {
    if (prefix.contains(*ip)) return true;
  }
  return false;
}

bool Blacklist::blocks_peer(const crypto::PeerId& peer) const {
  return peers_.count(peer) > 0;
}

bool Blacklist::allows(const Multiaddr& addr, const crypto::PeerId* peer) const {
  if (peer && blocks_peer(*peer)) return false;
  return !blocks_addr(addr);
}

}  // namespace edgevpn::p2p::host
