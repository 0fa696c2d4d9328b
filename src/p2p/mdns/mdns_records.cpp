// Building and reading the mDNS records of libp2p peer discovery.
#include "p2p/mdns/mdns_records.hpp"

#include <algorithm>
#include <optional>

namespace edgevpn::p2p::mdns {
namespace {

constexpr std::string_view kInstanceAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
// Leaves room for headers and the other records under kMaxPacketSize.
constexpr size_t kMaxTxtBytes = 6000;

bool suitable_for_txt(const Multiaddr& addr) {
  if (addr.empty()) return false;
  const uint32_t first = addr.components().front().code;
  if (first == multiaddr_code::kIp4 || first == multiaddr_code::kIp6) {
    if (addr.is_unspecified()) return false;
  } else if (first == multiaddr_code::kDns || first == multiaddr_code::kDns4 ||
             first == multiaddr_code::kDns6) {
    const std::string host = addr.components().front().value_text();
    if (!name_has_suffix(host, kDomain)) return false;
  } else {
    return false;
  }
  for (uint32_t code :
       {multiaddr_code::kP2pCircuit, multiaddr_code::kWs, multiaddr_code::kWss,
        multiaddr_code::kWebTransport, multiaddr_code::kWebRtc, multiaddr_code::kWebRtcDirect}) {
    if (addr.has_protocol(code)) return false;
  }
  return true;
}

ResourceRecord make_record(std::string name, uint16_t type, uint32_t ttl) {
  ResourceRecord rr;
  rr.name = std::move(name);
  rr.type = type;
  rr.klass = kClassIn;
  rr.ttl = ttl;
  return rr;
}

void add_address_records(const LocalService& local, std::vector<ResourceRecord>& out) {
  std::optional<util::Bytes> ip4;
  std::optional<util::Bytes> ip6;
  for (const auto& addr : local.addrs) {
    if (addr.empty() || addr.is_unspecified()) continue;
    const uint32_t code = addr.components().front().code;
    if (!ip4 && code == multiaddr_code::kIp4) ip4 = addr.ip_bytes();
    if (!ip6 && code == multiaddr_code::kIp6) ip6 = addr.ip_bytes();
  }
  if (ip4) {
    auto rr = make_record(local.host_fqdn(), record_type::kA, local.ttl);
    rr.address = *ip4;
    out.push_back(std::move(rr));
  }
  if (ip6) {
    auto rr = make_record(local.host_fqdn(), record_type::kAaaa, local.ttl);
    rr.address = *ip6;
    out.push_back(std::move(rr));
  }
}

ResourceRecord srv_record(const LocalService& local) {
  auto srv = make_record(local.instance_fqdn(), record_type::kSrv, local.ttl);
  srv.srv.port = kSrvPort;
  srv.srv.target = local.host_fqdn();
  return srv;
}

ResourceRecord txt_record(const LocalService& local) {
  auto txt = make_record(local.instance_fqdn(), record_type::kTxt, local.ttl);
  txt.txt = dnsaddr_texts(local.peer_id, local.addrs);
  return txt;
}

bool has_ip(const LocalService& local) {
  return std::any_of(local.addrs.begin(), local.addrs.end(), [](const Multiaddr& addr) {
    return !addr.empty() && !addr.is_unspecified() &&
           (addr.components().front().code == multiaddr_code::kIp4 ||
            addr.components().front().code == multiaddr_code::kIp6);
  });
}

}  // namespace

std::string random_instance_name(const RandomUniform& uniform) {
  const size_t length = 32 + uniform(32) % 32;
  std::string name;
  name.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    name.push_back(kInstanceAlphabet[uniform(kInstanceAlphabet.size()) % kInstanceAlphabet.size()]);
  }
  return name;
}

std::string service_fqdn(std::string_view service) {
  std::string out(service);
  while (!out.empty() && out.back() == '.') out.pop_back();
  out += '.';
  out += kDomain;
  return out;
}

std::string LocalService::instance_fqdn() const {
  return instance + "." + service_fqdn(service);
}
std::string LocalService::host_fqdn() const {
  return instance + "." + std::string(kDomain);
}

std::vector<std::string> dnsaddr_texts(const crypto::PeerId& id,
                                       const std::vector<Multiaddr>& addrs) {
  std::vector<std::string> out;
  size_t total = 0;
  for (const auto& addr : addrs) {
    if (!suitable_for_txt(addr)) continue;
    std::string text = std::string(kDnsaddrPrefix) + addr.with_peer_id(id).to_string();
    if (text.size() > 255 || total + text.size() + 1 > kMaxTxtBytes) continue;
    if (std::find(out.begin(), out.end(), text) != out.end()) continue;
    total += text.size() + 1;
    out.push_back(std::move(text));
  }
  return out;
}

DnsMessage build_query(std::string_view service) {
  DnsMessage query;
  query.questions.push_back(Question{service_fqdn(service), record_type::kPtr, kClassIn, false});
  return query;
}

util::Result<DnsMessage> build_response(const LocalService& local, uint16_t id) {
  if (!has_ip(local)) {
    return util::make_error(util::Errc::kInvalidArgument, "no IP address to announce over mDNS");
  }
  DnsMessage response;
  response.id = id;
  response.flags = kFlagResponse | kFlagAuthoritative;
  auto ptr = make_record(service_fqdn(local.service), record_type::kPtr, local.ttl);
  ptr.ptr = local.instance_fqdn();
  response.answers.push_back(std::move(ptr));
  response.additionals.push_back(srv_record(local));
  response.additionals.push_back(txt_record(local));
  add_address_records(local, response.additionals);
  return response;
}

std::optional<QueryReply> answer_query(const DnsMessage& query, const LocalService& local) {
  if (query.is_response() || !query.authorities.empty()) return std::nullopt;
  const std::string service = service_fqdn(local.service);
  const std::string instance = local.instance_fqdn();
  bool browse = false;
  bool lookup = false;
  bool unicast = false;
  for (const auto& question : query.questions) {
    const bool any = question.type == record_type::kAny;
    if (names_equal(question.name, service) && (any || question.type == record_type::kPtr)) {
      browse = true;
      unicast = unicast || question.unicast_response;
    } else if (names_equal(question.name, instance) &&
               (any || question.type == record_type::kSrv || question.type == record_type::kTxt)) {
      lookup = true;
      unicast = unicast || question.unicast_response;
    }
  }
  if (browse) {
    // RFC 6762 7.1 known-answer suppression.
    for (const auto& known : query.answers) {
      if (known.type == record_type::kPtr && names_equal(known.name, service) &&
          names_equal(known.ptr, instance) && known.ttl >= local.ttl / 2) {
        browse = false;
      }
    }
  }
  if (!browse && !lookup) return std::nullopt;
  auto response = build_response(local, unicast ? query.id : 0);
  if (!response.ok()) return std::nullopt;
  if (!browse) {
    // Instance lookup: SRV and TXT answer the question, addresses stay additional.
    DnsMessage& message = response.value();
    message.answers = {message.additionals[0], message.additionals[1]};
    message.additionals.erase(message.additionals.begin(), message.additionals.begin() + 2);
  }
  return QueryReply{std::move(response).value(), unicast};
}

std::vector<DiscoveredPeer> parse_response(const DnsMessage& message, std::string_view service,
                                           const crypto::PeerId& self) {
  std::vector<DiscoveredPeer> peers;
  if (!message.is_response()) return peers;
  const std::string service_name = service_fqdn(service);
  for (const auto* section : {&message.answers, &message.authorities, &message.additionals}) {
    for (const auto& rr : *section) {
      if (rr.type != record_type::kTxt || names_equal(rr.name, service_name) ||
          !name_has_suffix(rr.name, service_name)) {
        continue;
      }
      for (const auto& text : rr.txt) {
        if (text.rfind(kDnsaddrPrefix, 0) != 0) continue;
        auto addr = Multiaddr::parse(std::string_view(text).substr(kDnsaddrPrefix.size()));
        if (!addr.ok()) continue;
        auto id = addr->peer_id();
        if (!id || *id == self) continue;
        Multiaddr bare = addr->without_peer_id();
        auto it = std::find_if(peers.begin(), peers.end(),
                               [&](const DiscoveredPeer& p) { return p.id == *id; });
        if (it == peers.end()) {
          peers.push_back(DiscoveredPeer{*id, {}});
          it = std::prev(peers.end());
        }
        if (!bare.empty() &&
            std::find(it->addrs.begin(), it->addrs.end(), bare) == it->addrs.end()) {
          it->addrs.push_back(std::move(bare));
        }
      }
    }
  }
  std::erase_if(peers, [](const DiscoveredPeer& p) { return p.addrs.empty(); });
  return peers;
}

}  // namespace edgevpn::p2p::mdns
