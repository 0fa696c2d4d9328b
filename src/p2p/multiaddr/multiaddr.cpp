// Multiaddr binary and text codecs, and address helpers for the host, DHT and mDNS.
#include "p2p/multiaddr/multiaddr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "crypto/cid.hpp"
#include "util/encoding.hpp"
#include "util/varint.hpp"

namespace edgevpn::p2p {
namespace {

namespace code = multiaddr_code;
using util::Errc;
using util::make_error;

// How a protocol's value is written in text and checked.
enum class ValueKind { kNone, kIp4, kIp6, kPort, kCidr, kName, kPath, kPeerId, kCertHash };

struct ProtocolEntry {
  MultiaddrProtocol protocol;
  ValueKind kind;
};

constexpr int kVar = MultiaddrProtocol::kVariableSize;

constexpr std::array kProtocols = {
    ProtocolEntry{{code::kIp4, "ip4", 4}, ValueKind::kIp4},
    ProtocolEntry{{code::kTcp, "tcp", 2}, ValueKind::kPort},
    ProtocolEntry{{code::kDccp, "dccp", 2}, ValueKind::kPort},
    ProtocolEntry{{code::kIp6, "ip6", 16}, ValueKind::kIp6},
    ProtocolEntry{{code::kIp6Zone, "ip6zone", kVar}, ValueKind::kName},
    ProtocolEntry{{code::kIpCidr, "ipcidr", 1}, ValueKind::kCidr},
    ProtocolEntry{{code::kDns, "dns", kVar}, ValueKind::kName},
    ProtocolEntry{{code::kDns4, "dns4", kVar}, ValueKind::kName},
    ProtocolEntry{{code::kDns6, "dns6", kVar}, ValueKind::kName},
    ProtocolEntry{{code::kDnsAddr, "dnsaddr", kVar}, ValueKind::kName},
    ProtocolEntry{{code::kSctp, "sctp", 2}, ValueKind::kPort},
    ProtocolEntry{{code::kUdp, "udp", 2}, ValueKind::kPort},
    ProtocolEntry{{code::kWebRtcDirect, "webrtc-direct", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kWebRtc, "webrtc", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kP2pCircuit, "p2p-circuit", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kUdt, "udt", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kUtp, "utp", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kUnix, "unix", kVar}, ValueKind::kPath},
    ProtocolEntry{{code::kP2p, "p2p", kVar}, ValueKind::kPeerId},
    ProtocolEntry{{code::kHttps, "https", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kTls, "tls", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kSni, "sni", kVar}, ValueKind::kName},
    ProtocolEntry{{code::kNoise, "noise", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kQuic, "quic", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kQuicV1, "quic-v1", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kWebTransport, "webtransport", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kCertHash, "certhash", kVar}, ValueKind::kCertHash},
    ProtocolEntry{{code::kWs, "ws", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kWss, "wss", 0}, ValueKind::kNone},
    ProtocolEntry{{code::kHttp, "http", 0}, ValueKind::kNone},
};

// Bounds that keep every address we accept printable and re-parseable, and work linear.
constexpr size_t kMaxComponents = 64;
constexpr size_t kMaxNameLength = 255;      // DNS names, SNI, IPv6 zones
constexpr size_t kMaxPathLength = 1024;     // unix socket paths
constexpr size_t kMaxCertHashLength = 512;  // multihash bytes (text stays under 1024 chars)

const ProtocolEntry* entry_for(uint64_t value) {
  for (const auto& entry : kProtocols) {
    if (entry.protocol.code == value) return &entry;
  }
  return nullptr;
}

const ProtocolEntry* entry_for(std::string_view name) {
  if (name == "ipfs") name = "p2p";  // legacy alias
  for (const auto& entry : kProtocols) {
    if (entry.protocol.name == name) return &entry;
  }
  return nullptr;
}

util::Error bad_value(const ProtocolEntry& entry, std::string what) {
  return make_error(Errc::kMalformed,
                    "multiaddr /" + std::string(entry.protocol.name) + ": " + std::move(what));
}

// Checks a binary value (size already matches a fixed-size protocol).
util::Status validate_value(const ProtocolEntry& entry, util::ByteView value) {
  switch (entry.kind) {
    case ValueKind::kNone:
    case ValueKind::kIp4:
    case ValueKind::kIp6:
    case ValueKind::kPort:
    case ValueKind::kCidr: return {};
    case ValueKind::kName: {
      if (value.empty()) return bad_value(entry, "empty value");
      if (value.size() > kMaxNameLength) return bad_value(entry, "value too long");
      const auto text = util::as_string_view(value);
      if (text.find('/') != std::string_view::npos || text.find('\0') != std::string_view::npos) {
        return bad_value(entry, "value contains '/' or NUL");
      }
      return {};
    }
    case ValueKind::kPath: {
      const auto text = util::as_string_view(value);
      if (text.size() < 2 || text.front() != '/' || text.back() == '/') {
        return bad_value(entry, "path must start and not end with '/'");
      }
      if (text.size() > kMaxPathLength) return bad_value(entry, "path too long");
      if (text.find('\0') != std::string_view::npos) return bad_value(entry, "path contains NUL");
      return {};
    }
    case ValueKind::kPeerId: {
      auto id = crypto::PeerId::from_bytes(value);
      if (!id.ok()) return bad_value(entry, id.error().message);
      return {};
    }
    case ValueKind::kCertHash: {
      if (value.size() > kMaxCertHashLength) return bad_value(entry, "value too long");
      auto mh = crypto::decode_multihash(value);
      if (!mh.ok()) return bad_value(entry, mh.error().message);
      return {};
    }
  }
  return bad_value(entry, "unknown value kind");
}

util::Result<uint32_t> parse_decimal(std::string_view text, size_t max_digits, uint32_t max) {
  uint32_t out = 0;
  if (text.empty() || text.size() > max_digits) {
    return make_error(Errc::kMalformed, "bad number");
  }
  for (char c : text) {
    if (c < '0' || c > '9') return make_error(Errc::kMalformed, "bad number");
    out = out * 10 + static_cast<uint32_t>(c - '0');
  }
  if (out > max) return make_error(Errc::kMalformed, "number out of range");
  return out;
}

util::Result<util::Bytes> parse_ip4(std::string_view text) {
  util::Bytes out;
  size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    const size_t dot = text.find('.', start);
    const bool last = part == 3;
    if (last != (dot == std::string_view::npos)) {
      return make_error(Errc::kMalformed, "IPv4 address needs four parts");
    }
    const std::string_view digits = text.substr(start, last ? std::string_view::npos : dot - start);
    if (digits.size() > 1 && digits[0] == '0') {
      return make_error(Errc::kMalformed, "IPv4 part with a leading zero");
    }
    auto value = parse_decimal(digits, 3, 255);
    if (!value.ok()) return make_error(Errc::kMalformed, "bad IPv4 address");
    out.push_back(static_cast<uint8_t>(*value));
    start = dot + 1;
  }
  return out;
}

util::Result<util::Bytes> parse_ip6(std::string_view text) {
  // inet_pton wants a C string; the longest IPv6 text (with embedded IPv4) is 45 characters.
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) {
    return make_error(Errc::kMalformed, "bad IPv6 address");
  }
  const std::string copy(text);
  util::Bytes out(16);
  if (inet_pton(AF_INET6, copy.c_str(), out.data()) != 1) {
    return make_error(Errc::kMalformed, "bad IPv6 address");
  }
  return out;
}

// Text value -> binary value, for every kind but kNone.
util::Result<util::Bytes> value_from_text(const ProtocolEntry& entry, std::string_view text) {
  switch (entry.kind) {
    case ValueKind::kIp4: {
      auto ip = parse_ip4(text);
      if (!ip.ok()) return bad_value(entry, ip.error().message);
      return ip;
    }
    case ValueKind::kIp6: {
      auto ip = parse_ip6(text);
      if (!ip.ok()) return bad_value(entry, ip.error().message);
      return ip;
    }
    case ValueKind::kPort: {
      auto port = parse_decimal(text, 5, 65535);
      if (!port.ok()) return bad_value(entry, "bad port");
      util::Bytes out;
      util::put_u16_be(out, static_cast<uint16_t>(*port));
      return out;
    }
    case ValueKind::kCidr: {
      auto bits = parse_decimal(text, 3, 255);
      if (!bits.ok()) return bad_value(entry, "bad mask length");
      return util::Bytes{static_cast<uint8_t>(*bits)};
    }
    case ValueKind::kName:
    case ValueKind::kPath: return util::to_bytes(text);
    case ValueKind::kPeerId: {
      auto id = crypto::PeerId::parse(text);
      if (!id.ok()) return bad_value(entry, id.error().message);
      return id->bytes();
    }
    case ValueKind::kCertHash: {
      auto decoded = crypto::multibase_decode(text);
      if (!decoded.ok()) return bad_value(entry, decoded.error().message);
      return std::move(decoded).value();
    }
    case ValueKind::kNone: break;
  }
  return bad_value(entry, "takes no value");
}

std::string value_to_text(const ProtocolEntry* entry, util::ByteView value) {
  if (entry == nullptr) return util::hex_encode(value);
  switch (entry->kind) {
    case ValueKind::kNone: return {};
    case ValueKind::kIp4:
    case ValueKind::kIp6: return ip_to_string(value);
    case ValueKind::kPort:
      return value.size() == 2 ? std::to_string(util::get_u16_be(value.data())) : std::string();
    case ValueKind::kCidr: return value.size() == 1 ? std::to_string(value[0]) : std::string();
    case ValueKind::kName:
    case ValueKind::kPath: return util::to_string(value);
    case ValueKind::kPeerId: return util::base58_encode(value);
    case ValueKind::kCertHash: return "u" + util::base64_encode(value, util::Base64::kUrlNoPadding);
  }
  return {};
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool ends_with_label(std::string_view name, std::string_view suffix) {
  // `suffix` is "localhost" style: matches the name itself or any subdomain of it.
  if (name == suffix) return true;
  return name.size() > suffix.size() && name.ends_with(suffix) &&
         name[name.size() - suffix.size() - 1] == '.';
}

enum class DnsScope { kLoopback, kPrivate, kUnresolvable, kPublic };

DnsScope dns_scope(util::ByteView value) {
  std::string name = lower(util::as_string_view(value));
  while (!name.empty() && name.back() == '.') name.pop_back();  // fully qualified form
  if (ends_with_label(name, "localhost")) return DnsScope::kLoopback;
  for (std::string_view suffix : {"local", "lan", "home.arpa", "internal", "intranet", "home"}) {
    if (ends_with_label(name, suffix)) return DnsScope::kPrivate;
  }
  for (std::string_view suffix : {"test", "invalid", "example", "onion"}) {
    if (ends_with_label(name, suffix)) return DnsScope::kUnresolvable;
  }
  if (name.empty()) return DnsScope::kUnresolvable;
  return DnsScope::kPublic;
}

bool is_dns_code(uint32_t value) {
  return value == code::kDns || value == code::kDns4 || value == code::kDns6 ||
         value == code::kDnsAddr;
}

// The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:0:0/96).
std::optional<std::array<uint8_t, 4>> mapped_ip4(util::ByteView ip) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (ip.size() != 16 || !std::equal(ip.begin(), ip.begin() + 12, kMapped)) return std::nullopt;
  return std::array<uint8_t, 4>{ip[12], ip[13], ip[14], ip[15]};
}

// The IPv4 address inside an IPv4-mapped or a NAT64 (64:ff9b::/96) IPv6 address.
std::optional<std::array<uint8_t, 4>> embedded_ip4(util::ByteView ip) {
  if (auto v4 = mapped_ip4(ip)) return v4;
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (ip.size() != 16 || !std::equal(ip.begin(), ip.begin() + 12, kNat64)) return std::nullopt;
  return std::array<uint8_t, 4>{ip[12], ip[13], ip[14], ip[15]};
}

bool in_ip4_range(util::ByteView ip, std::array<uint8_t, 4> network, int prefix) {
  const uint32_t address = util::get_u32_be(ip.data());
  const uint32_t base = util::get_u32_be(network.data());
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (address & mask) == (base & mask);
}

bool ip4_is_private(util::ByteView ip) {
  return in_ip4_range(ip, {10, 0, 0, 0}, 8) || in_ip4_range(ip, {172, 16, 0, 0}, 12) ||
         in_ip4_range(ip, {192, 168, 0, 0}, 16) || in_ip4_range(ip, {100, 64, 0, 0}, 10) ||
         in_ip4_range(ip, {169, 254, 0, 0}, 16);
}

bool ip4_is_public(util::ByteView ip) {
  struct Range {
    std::array<uint8_t, 4> network;
    int prefix;
  };
  static constexpr Range kNotPublic[] = {
      {{0, 0, 0, 0}, 8},      {{127, 0, 0, 0}, 8},   {{192, 0, 0, 0}, 24},
      {{192, 0, 2, 0}, 24},   {{198, 18, 0, 0}, 15}, {{198, 51, 100, 0}, 24},
      {{203, 0, 113, 0}, 24}, {{224, 0, 0, 0}, 4},   {{240, 0, 0, 0}, 4},
  };
  if (ip4_is_private(ip)) return false;
  return std::none_of(std::begin(kNotPublic), std::end(kNotPublic),
                      [&](const Range& r) { return in_ip4_range(ip, r.network, r.prefix); });
}

}  // namespace

// ---- table ----

const MultiaddrProtocol* find_multiaddr_protocol(uint32_t value) {
  const auto* entry = entry_for(uint64_t{value});
  return entry == nullptr ? nullptr : &entry->protocol;
}

const MultiaddrProtocol* find_multiaddr_protocol(std::string_view name) {
  const auto* entry = entry_for(name);
  return entry == nullptr ? nullptr : &entry->protocol;
}

std::string_view MultiaddrComponent::name() const {
  const auto* entry = entry_for(uint64_t{code});
  return entry == nullptr ? std::string_view() : entry->protocol.name;
}

std::string MultiaddrComponent::value_text() const {
  return value_to_text(entry_for(uint64_t{code}), value);
}

// ---- codecs ----

util::Result<Multiaddr> Multiaddr::parse(std::string_view text) {
  if (text.empty() || text.front() != '/') {
    return make_error(Errc::kMalformed, "multiaddr must start with '/'");
  }
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  if (text.empty()) return make_error(Errc::kMalformed, "empty multiaddr");

  std::vector<std::string_view> parts;
  for (size_t start = 1;;) {
    const size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }

  std::vector<MultiaddrComponent> components;
  for (size_t i = 0; i < parts.size();) {
    if (components.size() >= kMaxComponents) {
      return make_error(Errc::kTooLarge, "multiaddr has too many components");
    }
    const std::string_view name = parts[i];
    if (name.empty()) return make_error(Errc::kMalformed, "empty multiaddr protocol name");
    const ProtocolEntry* entry = entry_for(name);
    if (entry == nullptr) {
      return make_error(Errc::kUnsupported,
                        "unknown multiaddr protocol '" + std::string(name) + "'");
    }
    MultiaddrComponent component{entry->protocol.code, {}};
    if (entry->kind == ValueKind::kNone) {
      components.push_back(std::move(component));
      ++i;
      continue;
    }
    if (i + 1 >= parts.size()) return bad_value(*entry, "missing value");
    if (entry->kind == ValueKind::kPath) {
      // A path takes the rest of the address, slashes included.
      const size_t begin = static_cast<size_t>(parts[i + 1].data() - text.data());
      component.value = util::to_bytes(text.substr(begin - 1));
      EDGEVPN_TRY(validate_value(*entry, component.value));
      components.push_back(std::move(component));
      break;
    }
    EDGEVPN_TRY_ASSIGN(value, value_from_text(*entry, parts[i + 1]));
    EDGEVPN_TRY(validate_value(*entry, value));
    component.value = std::move(value);
    components.push_back(std::move(component));
    i += 2;
  }
  return Multiaddr(std::move(components));
}

util::Result<Multiaddr> Multiaddr::from_bytes(util::ByteView bytes) {
  if (bytes.empty()) return make_error(Errc::kMalformed, "empty multiaddr");
  std::vector<MultiaddrComponent> components;
  util::ByteView rest = bytes;
  while (!rest.empty()) {
    if (components.size() >= kMaxComponents) {
      return make_error(Errc::kTooLarge, "multiaddr has too many components");
    }
    if (!components.empty() && components.back().code == code::kUnix) {
      // A unix path takes the rest of the text form; anything after it could not be printed.
      return make_error(Errc::kMalformed, "multiaddr /unix must be the last component");
    }
    auto protocol_code = util::read_uvarint(rest);
    if (!protocol_code.ok()) {
      return make_error(protocol_code.error().code,
                        "multiaddr protocol code: " + protocol_code.error().message);
    }
    rest = rest.subspan(protocol_code->length);
    const ProtocolEntry* entry = entry_for(protocol_code->value);
    if (entry == nullptr) {
      return make_error(Errc::kUnsupported,
                        "unknown multiaddr protocol code " + std::to_string(protocol_code->value));
    }
    size_t size = 0;
    if (entry->protocol.size == kVar) {
      auto length = util::read_uvarint(rest);
      if (!length.ok()) {
        return make_error(length.error().code, "multiaddr value length: " + length.error().message);
      }
      rest = rest.subspan(length->length);
      if (length->value > rest.size()) {
        return make_error(Errc::kTruncated, "multiaddr value shorter than its length");
      }
      size = static_cast<size_t>(length->value);
    } else {
      size = static_cast<size_t>(entry->protocol.size);
      if (size > rest.size()) return make_error(Errc::kTruncated, "multiaddr value truncated");
    }
    const util::ByteView value = rest.first(size);
    rest = rest.subspan(size);
    EDGEVPN_TRY(validate_value(*entry, value));
    components.push_back(
        MultiaddrComponent{entry->protocol.code, util::Bytes(value.begin(), value.end())});
  }
  return Multiaddr(std::move(components));
}

util::Result<Multiaddr> Multiaddr::from_component(uint32_t protocol_code, util::ByteView value) {
  const ProtocolEntry* entry = entry_for(uint64_t{protocol_code});
  if (entry == nullptr) {
    return make_error(Errc::kUnsupported,
                      "unknown multiaddr protocol code " + std::to_string(protocol_code));
  }
  if (entry->protocol.size != kVar && value.size() != static_cast<size_t>(entry->protocol.size)) {
    return bad_value(*entry, "value has the wrong size");
  }
  EDGEVPN_TRY(validate_value(*entry, value));
  return Multiaddr({MultiaddrComponent{protocol_code, util::Bytes(value.begin(), value.end())}});
}

util::Result<Multiaddr> Multiaddr::from_tcp(std::string_view ip, uint16_t port) {
  EDGEVPN_TRY_ASSIGN(address, ip_from_string(ip));
  util::Bytes port_bytes;
  util::put_u16_be(port_bytes, port);
  const uint32_t ip_code = address.size() == 4 ? code::kIp4 : code::kIp6;
  return Multiaddr({MultiaddrComponent{ip_code, std::move(address)},
                    MultiaddrComponent{code::kTcp, std::move(port_bytes)}});
}

Multiaddr Multiaddr::from_peer_id(const crypto::PeerId& id) {
  return Multiaddr({MultiaddrComponent{code::kP2p, id.bytes()}});
}

std::string Multiaddr::to_string() const {
  std::string out;
  for (const auto& component : components_) {
    const ProtocolEntry* entry = entry_for(uint64_t{component.code});
    out += '/';
    out += entry == nullptr ? std::to_string(component.code) : std::string(entry->protocol.name);
    if (entry != nullptr && entry->kind == ValueKind::kNone) continue;
    const std::string value = value_to_text(entry, component.value);
    if (entry == nullptr || entry->kind != ValueKind::kPath || value.empty() || value[0] != '/') {
      out += '/';
    }
    out += value;
  }
  return out;
}

util::Bytes Multiaddr::bytes() const {
  util::Bytes out;
  for (const auto& component : components_) {
    util::put_uvarint(out, component.code);
    const ProtocolEntry* entry = entry_for(uint64_t{component.code});
    if (entry == nullptr || entry->protocol.size == kVar) {
      util::put_uvarint(out, component.value.size());
    }
    util::append(out, component.value);
  }
  return out;
}

// ---- helpers ----

bool Multiaddr::has_protocol(uint32_t protocol_code) const {
  return std::any_of(components_.begin(), components_.end(),
                     [&](const auto& c) { return c.code == protocol_code; });
}

std::optional<util::Bytes> Multiaddr::value_for(uint32_t protocol_code) const {
  for (const auto& component : components_) {
    if (component.code == protocol_code) return component.value;
  }
  return std::nullopt;
}

std::optional<crypto::PeerId> Multiaddr::peer_id() const {
  if (components_.empty() || components_.back().code != code::kP2p) return std::nullopt;
  auto id = crypto::PeerId::from_bytes(components_.back().value);
  if (!id.ok()) return std::nullopt;
  return std::move(id).value();
}

Multiaddr Multiaddr::without_peer_id() const {
  if (components_.empty() || components_.back().code != code::kP2p) return *this;
  return Multiaddr(std::vector<MultiaddrComponent>(components_.begin(), components_.end() - 1));
}

Multiaddr Multiaddr::with_peer_id(const crypto::PeerId& id) const {
  return without_peer_id().encapsulate(from_peer_id(id));
}

Multiaddr Multiaddr::encapsulate(const Multiaddr& inner) const {
  std::vector<MultiaddrComponent> components = components_;
  components.insert(components.end(), inner.components_.begin(), inner.components_.end());
  return Multiaddr(std::move(components));
}

Multiaddr Multiaddr::decapsulate(const Multiaddr& suffix) const {
  const auto& needle = suffix.components_;
  if (needle.empty() || needle.size() > components_.size()) return *this;
  for (size_t start = components_.size() - needle.size() + 1; start-- > 0;) {
    if (std::equal(needle.begin(), needle.end(),
                   components_.begin() + static_cast<ptrdiff_t>(start))) {
      return Multiaddr(std::vector<MultiaddrComponent>(
          components_.begin(), components_.begin() + static_cast<ptrdiff_t>(start)));
    }
  }
  return *this;
}

Multiaddr Multiaddr::decapsulate_code(uint32_t protocol_code) const {
  for (size_t i = components_.size(); i-- > 0;) {
    if (components_[i].code == protocol_code) {
      return Multiaddr(std::vector<MultiaddrComponent>(
          components_.begin(), components_.begin() + static_cast<ptrdiff_t>(i)));
    }
  }
  return *this;
}

std::optional<TcpEndpoint> Multiaddr::tcp_endpoint() const {
  if (components_.size() < 2 || components_[1].code != code::kTcp ||
      components_[1].value.size() != 2) {
    return std::nullopt;
  }
  const auto& ip = components_[0];
  if (ip.code != code::kIp4 && ip.code != code::kIp6) return std::nullopt;
  TcpEndpoint endpoint;
  endpoint.host = ip_to_string(ip.value);
  if (endpoint.host.empty()) return std::nullopt;
  endpoint.port = util::get_u16_be(components_[1].value.data());
  endpoint.is_ipv6 = ip.code == code::kIp6;
  return endpoint;
}

std::optional<util::Bytes> Multiaddr::ip_bytes() const {
  if (components_.empty()) return std::nullopt;
  const auto& first = components_[0];
  if (first.code == code::kIp4 || first.code == code::kIp6) return first.value;
  // /ip6zone/<zone>/ip6/<addr>: the zone only qualifies a (link-local) IPv6 address.
  if (first.code == code::kIp6Zone && components_.size() > 1 && components_[1].code == code::kIp6) {
    return components_[1].value;
  }
  return std::nullopt;
}

bool Multiaddr::is_loopback() const {
  if (auto ip = ip_bytes()) return ip_is_loopback(*ip);
  if (!components_.empty() && is_dns_code(components_[0].code)) {
    return dns_scope(components_[0].value) == DnsScope::kLoopback;
  }
  return false;
}

bool Multiaddr::is_private() const {
  if (auto ip = ip_bytes()) return ip_is_private(*ip);
  if (!components_.empty() && is_dns_code(components_[0].code)) {
    return dns_scope(components_[0].value) == DnsScope::kPrivate;
  }
  return false;
}

bool Multiaddr::is_public() const {
  if (auto ip = ip_bytes()) return ip_is_public(*ip);
  if (!components_.empty() && is_dns_code(components_[0].code)) {
    return dns_scope(components_[0].value) == DnsScope::kPublic;
  }
  return false;
}

bool Multiaddr::is_unspecified() const {
  auto ip = ip_bytes();
  return ip && ip_is_unspecified(*ip);
}

// ---- IP addresses ----

bool ip_is_loopback(util::ByteView ip) {
  if (ip.size() == 4) return ip[0] == 127;
  if (auto v4 = mapped_ip4(ip)) return (*v4)[0] == 127;
  if (ip.size() != 16) return false;
  return std::all_of(ip.begin(), ip.end() - 1, [](uint8_t b) { return b == 0; }) && ip[15] == 1;
}

bool ip_is_unspecified(util::ByteView ip) {
  if (ip.size() != 4 && ip.size() != 16) return false;
  if (auto v4 = mapped_ip4(ip)) return ip_is_unspecified(*v4);
  return std::all_of(ip.begin(), ip.end(), [](uint8_t b) { return b == 0; });
}

bool ip_is_private(util::ByteView ip) {
  if (ip.size() == 4) return ip4_is_private(ip);
  if (ip.size() != 16) return false;
  if (auto v4 = embedded_ip4(ip)) return ip4_is_private(*v4);
  return (ip[0] & 0xfe) == 0xfc ||                   // fc00::/7 unique local
         (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80);  // fe80::/10 link-local
}

bool ip_is_public(util::ByteView ip) {
  if (ip.size() == 4) return ip4_is_public(ip);
  if (ip.size() != 16) return false;
  if (auto v4 = embedded_ip4(ip)) return ip4_is_public(*v4);
  if ((ip[0] & 0xe0) != 0x20) return false;  // global unicast is 2000::/3
  const bool documentation = ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0x0d && ip[3] == 0xb8;
  const bool benchmark = ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0x00 && ip[3] == 0x02 &&
                         ip[4] == 0x00 && ip[5] == 0x00;
  return !documentation && !benchmark;
}

std::string ip_to_string(util::ByteView ip) {
  char buffer[INET6_ADDRSTRLEN] = {0};
  if (ip.size() == 4) {
    return inet_ntop(AF_INET, ip.data(), buffer, sizeof(buffer)) ? std::string(buffer)
                                                                 : std::string();
  }
  if (ip.size() == 16) {
    return inet_ntop(AF_INET6, ip.data(), buffer, sizeof(buffer)) ? std::string(buffer)
                                                                  : std::string();
  }
  return {};
}

util::Result<util::Bytes> ip_from_string(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_ip6(text);
  return parse_ip4(text);
}

}  // namespace edgevpn::p2p
