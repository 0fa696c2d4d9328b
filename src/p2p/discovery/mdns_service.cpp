// MdnsService: the multicast socket, the send schedule and the receive loop.
#include "p2p/discovery/mdns_service.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/ip/multicast.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cstring>
#include <map>
#include <random>

#include "p2p/discovery/wake_timer.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::udp;

std::shared_ptr<spdlog::logger> logger() {
  static auto log = edgevpn::log::get("p2p.mdns");
  return log;
}

struct Interface {
  std::string name;
  unsigned index = 0;
  in_addr address{};
};

// Up, multicast-capable, non-loopback interfaces with an address of `family` (the first one each).
std::vector<Interface> suitable_interfaces(int family) {
  std::vector<Interface> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != family) continue;
    const unsigned flags = entry->ifa_flags;
    if (!(flags & IFF_UP) || !(flags & IFF_MULTICAST) || (flags & IFF_LOOPBACK)) continue;
    const unsigned index = if_nametoindex(entry->ifa_name);
    if (index == 0) continue;
    if (std::any_of(out.begin(), out.end(), [&](const Interface& i) { return i.index == index; }))
      continue;
    Interface found;
    found.name = entry->ifa_name;
    found.index = index;
    if (family == AF_INET) {
      found.address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr;
    }
    out.push_back(std::move(found));
  }
  freeifaddrs(list);
  return out;
}

// One multicast socket (IPv4 on 224.0.0.251 or IPv6 on ff02::fb) and the interfaces it joined.
struct FamilySocket {
  explicit FamilySocket(asio::io_context& io, bool v6) : socket(io), ipv6(v6) {}
  udp::socket socket;
  bool ipv6 = false;
  std::map<unsigned, Interface> joined;

  udp::endpoint group(uint16_t port) const {
    return udp::endpoint(
        asio::ip::make_address(std::string(ipv6 ? mdns::kIpv6Group : mdns::kIpv4Group)), port);
  }

  asio::error_code open(uint16_t port) {
    asio::error_code ec;
    socket.open(ipv6 ? udp::v6() : udp::v4(), ec);
    if (!ec && ipv6) socket.set_option(asio::ip::v6_only(true), ec);
    if (!ec) socket.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      const int one = 1;
      if (setsockopt(socket.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
        ec = asio::error_code(errno, asio::system_category());
      }
    }
    if (!ec) socket.set_option(asio::ip::multicast::hops(255), ec);
    if (!ec) socket.set_option(asio::ip::multicast::enable_loopback(true), ec);
    if (!ec) {
      const auto any = ipv6 ? asio::ip::address(asio::ip::address_v6::any())
                            : asio::ip::address(asio::ip::address_v4::any());
      socket.bind(udp::endpoint(any, port), ec);
    }
    if (ec) {
      asio::error_code ignored;
      socket.close(ignored);
    }
    return ec;
  }

  // Joins the group on interfaces not joined yet; true when one was added.
  bool join_new() {
    if (!socket.is_open()) return false;
    bool added = false;
    for (const auto& candidate : suitable_interfaces(ipv6 ? AF_INET6 : AF_INET)) {
      if (joined.count(candidate.index)) continue;
      int result = 0;
      if (ipv6) {
        ipv6_mreq request{};
        const auto bytes = asio::ip::make_address_v6(std::string(mdns::kIpv6Group)).to_bytes();
        std::memcpy(&request.ipv6mr_multiaddr, bytes.data(), bytes.size());
        request.ipv6mr_interface = candidate.index;
        result = setsockopt(socket.native_handle(), IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &request,
                            sizeof(request));
      } else {
        ip_mreqn request{};
        request.imr_multiaddr.s_addr =
            htonl(asio::ip::make_address_v4(std::string(mdns::kIpv4Group)).to_uint());
        request.imr_address = candidate.address;
        request.imr_ifindex = static_cast<int>(candidate.index);
        result = setsockopt(socket.native_handle(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &request,
                            sizeof(request));
      }
      if (result != 0 && errno != EADDRINUSE) {
        logger()->debug("cannot join the mDNS group on {}: {}", candidate.name,
                        std::strerror(errno));
        continue;
      }
      joined[candidate.index] = candidate;
      added = true;
    }
    return added;
  }

  // Multicasts `packet` on every joined interface; returns how many sends went out.
  size_t send_all(util::ByteView packet, uint16_t port) {
    size_t sent = 0;
    const auto to = group(port);
    for (const auto& [index, interface] : joined) {
      int result = 0;
      if (ipv6) {
        const unsigned out_index = index;
        result = setsockopt(socket.native_handle(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &out_index,
                            sizeof(out_index));
      } else {
        ip_mreqn outgoing{};
        outgoing.imr_ifindex = static_cast<int>(index);
        result = setsockopt(socket.native_handle(), IPPROTO_IP, IP_MULTICAST_IF, &outgoing,
                            sizeof(outgoing));
      }
      if (result != 0) continue;
      asio::error_code ec;
      socket.send_to(asio::buffer(packet.data(), packet.size()), to, 0, ec);
      if (ec) {
        logger()->debug("mDNS send on {}: {}", interface.name, ec.message());
        continue;
      }
      ++sent;
    }
    return sent;
  }
};

}  // namespace

// Held by the facade and by every coroutine of the service (`self`), so `this` is valid in all
// of them. The host and the peer callback outlive only the facade: after each suspension a loop
// checks running_ (cleared by stop(), which the facade's destructor calls) before using them.
class MdnsService::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, host::Host& host, MdnsConfig config)
      : executor_(io.get_executor()),
        host_(host),
        config_(std::move(config)),
        v4_(io, false),
        v6_(io, true),
        wake_(executor_),
        random_(std::random_device{}()),
        scheduler_(
            Clock::now(), [this](uint32_t bound) { return uniform(bound); }, config_.timing),
        tasks_(std::make_unique<task::TaskGroup>(executor_, "mdns")) {
    local_.service = config_.service;
    local_.instance = mdns::random_instance_name([this](uint32_t bound) { return uniform(bound); });
    local_.peer_id = host_.peer_id();
    local_.ttl = config_.ttl;
  }

  uint32_t uniform(uint32_t bound) {
    if (bound == 0) return 0;
    return std::uniform_int_distribution<uint32_t>(0, bound - 1)(random_);
  }

  util::Status start() {
    if (running_) return {};
    if (config_.ipv4) {
      if (auto ec = v4_.open(config_.port)) {
        return util::make_error(util::Errc::kIo, "mdns socket: " + ec.message());
      }
    }
    // IPv6 is a bonus: hosts without it (or with it disabled) still run on IPv4.
    if (config_.ipv6) {
      if (auto ec = v6_.open(config_.port)) logger()->debug("no IPv6 mDNS: {}", ec.message());
    }
    running_ = true;
    if (tasks_->cancelled()) tasks_ = std::make_unique<task::TaskGroup>(executor_, "mdns");
    join_interfaces();
    scheduler_.restart(Clock::now());
    auto self = shared_from_this();
    if (v4_.socket.is_open()) tasks_->spawn(receive_loop(self, &v4_), "IPv4 receive loop");
    if (v6_.socket.is_open()) tasks_->spawn(receive_loop(self, &v6_), "IPv6 receive loop");
    tasks_->spawn(send_loop(self), "send loop");
    return {};
  }

  void stop() {
    if (!running_) return;
    running_ = false;
    asio::error_code ignored;
    v4_.socket.close(ignored);
    v6_.socket.close(ignored);
    wake_.notify();
    tasks_->cancel();
  }

  void join_interfaces() {
    last_rescan_ = Clock::now();
    const bool added_v4 = v4_.join_new();
    const bool added_v6 = v6_.join_new();
    if (added_v4 || added_v6) scheduler_.restart(Clock::now());  // new network: start over
  }

  void send_multicast(const mdns::DnsMessage& message) {
    auto packet = mdns::encode(message);
    if (!packet) {
      logger()->debug("cannot encode mDNS packet: {}", packet.error().describe());
      return;
    }
    const size_t sent = v4_.send_all(*packet, config_.port) + v6_.send_all(*packet, config_.port);
    if (message.is_response()) stats_.responses_sent += sent;
  }

  // Our response, with the current addresses; nullopt when there is nothing to announce.
  std::optional<mdns::DnsMessage> our_response() {
    std::vector<Multiaddr> addrs;
    for (const auto& addr : host_.advertised_addrs()) {
      if (!addr.is_loopback() && !addr.is_unspecified()) addrs.push_back(addr);
    }
    local_.addrs = std::move(addrs);
    auto response = mdns::build_response(local_);
    if (!response) return std::nullopt;
    return std::move(*response);
  }

  static asio::awaitable<void> send_loop(std::shared_ptr<Impl> self) {
    while (self->running_) {
      const auto now = Clock::now();
      if (now - self->last_rescan_ >= self->config_.interface_rescan) self->join_interfaces();
      if (self->scheduler_.query_due(now)) {
        self->send_multicast(mdns::build_query(self->config_.service));
        ++self->stats_.queries_sent;
        self->scheduler_.on_query_sent(now);
      }
      if (self->scheduler_.announce_due(now)) {
        if (auto response = self->our_response()) self->send_multicast(*response);
        self->scheduler_.on_announce_sent(now);
      }
      if (self->scheduler_.response_due(now)) {
        if (auto response = self->our_response()) self->send_multicast(*response);
        self->scheduler_.on_response_sent(now);
      }
      const auto rescan_at = self->last_rescan_ + self->config_.interface_rescan;
      co_await self->wake_.wait_until(std::min(self->scheduler_.next_deadline(), rescan_at));
    }
  }

  static asio::awaitable<void> receive_loop(std::shared_ptr<Impl> self, FamilySocket* family) {
    std::vector<uint8_t> buffer(mdns::kMaxPacketSize);
    while (self->running_) {
      udp::endpoint sender;
      asio::error_code ec;
      const size_t n = co_await family->socket.async_receive_from(
          asio::buffer(buffer), sender, asio::redirect_error(asio::use_awaitable, ec));
      if (!self->running_ || ec == asio::error::operation_aborted) break;
      if (ec) continue;
      ++self->stats_.packets_received;
      self->handle_packet(util::ByteView(buffer.data(), n), sender, *family);
    }
  }

  void handle_packet(util::ByteView packet, const udp::endpoint& sender, FamilySocket& family) {
    auto message = mdns::decode(packet);
    if (!message) {
      ++stats_.bad_packets;
      return;
    }
    if (!message->is_response()) {
      if (our_response()) {  // also refreshes local_'s addresses for the answer
        auto reply = mdns::answer_query(*message, local_);
        if (!reply) return;
        if (reply->unicast) {
          auto bytes = mdns::encode(reply->message);
          asio::error_code ec;
          if (bytes) family.socket.send_to(asio::buffer(*bytes), sender, 0, ec);
          ++stats_.responses_sent;
        } else {
          scheduler_.on_query_received(Clock::now());
          wake_.notify();
        }
      }
      return;
    }
    const auto now = Clock::now();
    for (auto& peer : mdns::parse_response(*message, config_.service, host_.peer_id())) {
      if (peer.addrs.empty()) continue;
      auto& last = reported_[peer.id];
      if (last.time != Clock::time_point{} && now - last.time < config_.report_interval &&
          last.addrs == peer.addrs) {
        continue;
      }
      last.time = now;
      last.addrs = peer.addrs;
      host_.peerstore().add_addrs(peer.id, peer.addrs);
      ++stats_.peers_reported;
      if (callback_) callback_(peer);
    }
  }

  struct Reported {
    Clock::time_point time{};
    std::vector<Multiaddr> addrs;
  };

  asio::any_io_executor executor_;
  host::Host& host_;
  MdnsConfig config_;
  FamilySocket v4_;
  FamilySocket v6_;
  WakeTimer wake_;
  std::mt19937 random_;
  mdns::MdnsScheduler scheduler_;
  mdns::LocalService local_;
  std::map<crypto::PeerId, Reported> reported_;
  Clock::time_point last_rescan_{};
  MdnsPeerCallback callback_;
  MdnsStats stats_;
  bool running_ = false;
  // Replaced by start() after stop() cancelled it.
  std::unique_ptr<task::TaskGroup> tasks_;
};

MdnsService::MdnsService(asio::io_context& io, host::Host& host, MdnsConfig config)
    : impl_(std::make_shared<Impl>(io, host, std::move(config))) {}

MdnsService::~MdnsService() {
  impl_->stop();
}

void MdnsService::on_peer_found(MdnsPeerCallback callback) {
  impl_->callback_ = std::move(callback);
}
util::Status MdnsService::start() {
  return impl_->start();
}
void MdnsService::stop() {
  impl_->stop();
}

std::vector<std::string> MdnsService::interfaces() const {
  std::vector<std::string> out;
  for (const auto* family : {&impl_->v4_, &impl_->v6_}) {
    for (const auto& [index, interface] : family->joined) {
      const std::string name = interface.name + (family->ipv6 ? "/ipv6" : "/ipv4");
      out.push_back(name);
    }
  }
  return out;
}

MdnsStats MdnsService::stats() const {
  return impl_->stats_;
}

}  // namespace edgevpn::p2p::discovery
