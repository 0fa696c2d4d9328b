// Multiaddr (github multiformats/multiaddr): self-describing network addresses, with the binary
// form used on the wire (identify, DHT, relay) and the text form used in configs and logs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/peer_id.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p {

// Protocol codes of the multiformats multiaddr/multicodec table.
namespace multiaddr_code {
inline constexpr uint32_t kIp4 = 4;
inline constexpr uint32_t kTcp = 6;
inline constexpr uint32_t kDccp = 33;
inline constexpr uint32_t kIp6 = 41;
inline constexpr uint32_t kIp6Zone = 42;
inline constexpr uint32_t kIpCidr = 43;
inline constexpr uint32_t kDns = 53;
inline constexpr uint32_t kDns4 = 54;
inline constexpr uint32_t kDns6 = 55;
inline constexpr uint32_t kDnsAddr = 56;
inline constexpr uint32_t kSctp = 132;
inline constexpr uint32_t kUdp = 273;
inline constexpr uint32_t kWebRtcDirect = 280;
inline constexpr uint32_t kWebRtc = 281;
inline constexpr uint32_t kP2pCircuit = 290;
inline constexpr uint32_t kUdt = 301;
inline constexpr uint32_t kUtp = 302;
inline constexpr uint32_t kUnix = 400;
inline constexpr uint32_t kP2p = 421;  // text name "p2p"; "ipfs" is accepted as an alias
inline constexpr uint32_t kHttps = 443;
inline constexpr uint32_t kTls = 448;
inline constexpr uint32_t kSni = 449;
inline constexpr uint32_t kNoise = 454;
inline constexpr uint32_t kQuic = 460;
inline constexpr uint32_t kQuicV1 = 461;
inline constexpr uint32_t kWebTransport = 465;
inline constexpr uint32_t kCertHash = 466;
inline constexpr uint32_t kWs = 477;
inline constexpr uint32_t kWss = 478;
inline constexpr uint32_t kHttp = 480;
}  // namespace multiaddr_code

struct MultiaddrProtocol {
  uint32_t code = 0;
  std::string_view name;
  // Value size in bytes; kVariableSize when length-prefixed on the wire.
  int size = 0;
  static constexpr int kVariableSize = -1;
};

// Table look-ups; nullptr for unknown protocols.
const MultiaddrProtocol* find_multiaddr_protocol(uint32_t code);
const MultiaddrProtocol* find_multiaddr_protocol(std::string_view name);

// One protocol of an address with its binary value (empty for protocols without a value).
struct MultiaddrComponent {
  uint32_t code = 0;
  util::Bytes value;

  std::string_view name() const;
  // The value as it appears in text ("127.0.0.1", "4001", "12D3KooW...").
  std::string value_text() const;

  auto operator<=>(const MultiaddrComponent& other) const = default;
};

// Host and port of an /ip4|ip6/<ip>/tcp/<port> address.
struct TcpEndpoint {
  std::string host;  // "1.2.3.4" or "::1" (no brackets)
  uint16_t port = 0;
  bool is_ipv6 = false;

  bool operator==(const TcpEndpoint& other) const = default;
};

class Multiaddr {
 public:
  Multiaddr() = default;

  // "/ip4/1.2.3.4/tcp/4001/p2p/12D3KooW...". A trailing '/' is ignored; unknown protocol names,
  // missing or bad values are errors.
  static util::Result<Multiaddr> parse(std::string_view text);
  // The binary form: for each component, varint code then the value (varint length first for
  // variable-size values). Every value is validated as in parse().
  static util::Result<Multiaddr> from_bytes(util::ByteView bytes);
  // Validates one component (as from_bytes would) and builds a one-component address.
  static util::Result<Multiaddr> from_component(uint32_t code, util::ByteView value);
  // /ip4/<ip>/tcp/<port> or /ip6/<ip>/tcp/<port>, from an IP text form.
  static util::Result<Multiaddr> from_tcp(std::string_view ip, uint16_t port);
  // /p2p/<id>.
  static Multiaddr from_peer_id(const crypto::PeerId& id);

  std::string to_string() const;
  util::Bytes bytes() const;
  const std::vector<MultiaddrComponent>& components() const { return components_; }
  bool empty() const { return components_.empty(); }

  bool has_protocol(uint32_t code) const;
  // The value of the first component with `code`.
  std::optional<util::Bytes> value_for(uint32_t code) const;

  // The peer ID of the last component when it is /p2p.
  std::optional<crypto::PeerId> peer_id() const;
  // Without a trailing /p2p component (unchanged when there is none).
  Multiaddr without_peer_id() const;
  // With /p2p/<id> appended, replacing a trailing /p2p component.
  Multiaddr with_peer_id(const crypto::PeerId& id) const;

  // This address followed by `inner`.
  Multiaddr encapsulate(const Multiaddr& inner) const;
  // Everything before the last occurrence of `suffix` (its components in sequence); unchanged
  // when `suffix` does not occur or is empty.
  Multiaddr decapsulate(const Multiaddr& suffix) const;
  // Everything before the last component with `code`; unchanged when there is none.
  Multiaddr decapsulate_code(uint32_t code) const;

  // /ip4|ip6/<ip>/tcp/<port> at the start of the address.
  std::optional<TcpEndpoint> tcp_endpoint() const;
  // Raw bytes (4 or 16) of the first component when it is /ip4 or /ip6.
  std::optional<util::Bytes> ip_bytes() const;

  // Scope of the first component: an IP address (by range), or a DNS name (localhost and
  // .local-style names are loopback / private, other names count as public). False for
  // anything else.
  bool is_loopback() const;
  bool is_private() const;
  bool is_public() const;
  // 0.0.0.0 or ::.
  bool is_unspecified() const;

  auto operator<=>(const Multiaddr& other) const = default;

 private:
  explicit Multiaddr(std::vector<MultiaddrComponent> components)
      : components_(std::move(components)) {}
  std::vector<MultiaddrComponent> components_;
};

// Address classification on raw IPv4 (4 bytes) or IPv6 (16 bytes) addresses. IPv4-mapped IPv6
// (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) are classified by their IPv4 address.
bool ip_is_loopback(util::ByteView ip);     // 127/8, ::1
bool ip_is_unspecified(util::ByteView ip);  // 0.0.0.0, ::
// RFC 1918, CGNAT 100.64/10, link-local 169.254/16; ULA fc00::/7, link-local fe80::/10.
bool ip_is_private(util::ByteView ip);
// Globally routable unicast: not loopback, private, unspecified, multicast, reserved,
// broadcast, 0/8, or a documentation/benchmark range; IPv6 within 2000::/3.
bool ip_is_public(util::ByteView ip);

// Text form of a raw 4- or 16-byte address ("" for other lengths).
std::string ip_to_string(util::ByteView ip);
// Parses dotted-quad IPv4 or RFC 4291 IPv6 text into 4 or 16 bytes.
util::Result<util::Bytes> ip_from_string(std::string_view text);

}  // namespace edgevpn::p2p

template <>
struct std::hash<edgevpn::p2p::Multiaddr> {
  size_t operator()(const edgevpn::p2p::Multiaddr& addr) const noexcept {
    const auto bytes = addr.bytes();
    return std::hash<std::string_view>{}(edgevpn::util::as_string_view(bytes));
  }
};
