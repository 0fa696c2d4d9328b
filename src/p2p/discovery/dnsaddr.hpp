// /dnsaddr/ resolution (multiaddr dnsaddr spec): /dnsaddr/<host>[/p2p/<id>] names the addresses
// found in the TXT records of _dnsaddr.<host> ("dnsaddr=<multiaddr>"), which may themselves be
// /dnsaddr/ addresses (resolved recursively, bounded). Lookups go through the system resolver
// (glibc libresolv, which reads /etc/resolv.conf) on a helper thread, never on the io thread.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "p2p/multiaddr/multiaddr.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::discovery {

inline constexpr size_t kMaxDnsaddrDepth = 4;
inline constexpr size_t kMaxDnsaddrResults = 100;

// The multiaddrs in TXT strings "dnsaddr=<multiaddr>" (other strings and unparsable addresses are
// skipped). With `peer`, only addresses whose trailing /p2p/ is that peer are kept
// (go-multiaddr-dns semantics: an address without /p2p/ does not match a filter).
std::vector<Multiaddr> parse_dnsaddr_texts(const std::vector<std::string>& texts,
                                           const std::optional<crypto::PeerId>& peer);

// The TXT strings of a DNS response packet (answers of type TXT; other records are ignored).
// kMalformed / kTruncated for a packet that does not parse, kNotFound for an error rcode.
util::Result<std::vector<std::string>> txt_strings_from_response(util::ByteView packet);

struct DnsaddrResolverConfig {
  // When set, queries go to this nameserver (IP text, port) instead of resolv.conf's.
  std::optional<std::string> nameserver_ip;
  uint16_t nameserver_port = 53;
  // libresolv's per-try timeout (seconds) and tries per nameserver.
  int timeout_seconds = 2;
  int attempts = 2;
  size_t max_depth = kMaxDnsaddrDepth;
};

// TXT strings of `name` (blocking: a libresolv res_nquery).
using TxtLookup = std::function<util::Result<std::vector<std::string>>(const std::string& name)>;

// A TxtLookup on libresolv with `config`.
TxtLookup system_txt_lookup(DnsaddrResolverConfig config = {});

// Resolves `addr` (blocking). Non-/dnsaddr/ addresses come back unchanged; /dnsaddr/ ones are
// replaced by what their TXT records name, recursively up to `max_depth`, at most
// kMaxDnsaddrResults addresses. kNotFound when nothing matched.
util::Result<std::vector<Multiaddr>> resolve_dnsaddr_blocking(const Multiaddr& addr,
                                                              const TxtLookup& lookup,
                                                              size_t max_depth = kMaxDnsaddrDepth);

// The same off the io thread: the blocking work runs on a helper thread and the coroutine resumes
// on its own executor.
asio::awaitable<util::Result<std::vector<Multiaddr>>> resolve_dnsaddr(
    Multiaddr addr, DnsaddrResolverConfig config = {});

}  // namespace edgevpn::p2p::discovery
