// rtnetlink configuration of the TUN interface with libnl-route: MTU, addresses, link up, and
// removal of the addresses on teardown or on a failure half-way.
#include "vpn/tun/netlink_config.hpp"

#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>

#include "util/log/log.hpp"

namespace edgevpn::vpn {
namespace {

struct SocketDeleter {
  void operator()(nl_sock* socket) const { nl_socket_free(socket); }
};
struct LinkDeleter {
  void operator()(rtnl_link* link) const { rtnl_link_put(link); }
};
struct AddrDeleter {
  void operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
};
struct NlAddrDeleter {
  void operator()(nl_addr* addr) const { nl_addr_put(addr); }
};
struct CacheDeleter {
  void operator()(nl_cache* cache) const { nl_cache_free(cache); }
};
using Socket = std::unique_ptr<nl_sock, SocketDeleter>;

util::Error netlink_error(const std::string& what, int code) {
  code = code < 0 ? -code : code;
  std::string reason = nl_geterror(code);
  if (code == NLE_PERM) reason += " (needs CAP_NET_ADMIN: run as root or grant the capability)";
  const auto errc = (code == NLE_EXIST || code == NLE_INVAL || code == NLE_RANGE)
                        ? util::Errc::kInvalidArgument
                        : util::Errc::kIo;
  return util::make_error(errc, what + ": " + reason);
}

util::Result<Socket> connect_route_socket() {
  Socket socket(nl_socket_alloc());
  if (!socket) return util::make_error(util::Errc::kIo, "netlink: out of memory");
  if (const int err = nl_connect(socket.get(), NETLINK_ROUTE); err < 0) {
    return netlink_error("netlink connect", err);
  }
  return socket;
}

std::unique_ptr<rtnl_addr, AddrDeleter> make_addr(int ifindex, const IpNetwork& network) {
  std::unique_ptr<rtnl_addr, AddrDeleter> addr(rtnl_addr_alloc());
  const auto bytes = network.address.bytes();
  std::unique_ptr<nl_addr, NlAddrDeleter> local(
      nl_addr_build(network.address.is_v4() ? AF_INET : AF_INET6, bytes.data(), bytes.size()));
  if (!addr || !local) return nullptr;
  nl_addr_set_prefixlen(local.get(), network.prefix_length);
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_local(addr.get(), local.get());
  rtnl_addr_set_prefixlen(addr.get(), network.prefix_length);
  // A TUN has no neighbours to ask: skip duplicate address detection so the address is usable now.
  if (network.address.is_v6()) rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  return addr;
}

// Another interface already holding the address makes routing ambiguous: refuse it.
util::Status check_not_in_use(nl_sock* socket, int ifindex, const IpNetwork& network) {
  nl_cache* raw_cache = nullptr;
  if (const int err = rtnl_addr_alloc_cache(socket, &raw_cache); err < 0) {
    return netlink_error("listing addresses", err);
  }
  std::unique_ptr<nl_cache, CacheDeleter> cache(raw_cache);
  const auto wanted = network.address.bytes();
  for (nl_object* object = nl_cache_get_first(cache.get()); object;
       object = nl_cache_get_next(object)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(object);
    nl_addr* local = rtnl_addr_get_local(addr);
    if (!local || nl_addr_get_len(local) != wanted.size() ||
        std::memcmp(nl_addr_get_binary_addr(local), wanted.data(), wanted.size()) != 0) {
      continue;
    }
    char other[IF_NAMESIZE] = "?";
    if_indextoname(static_cast<unsigned>(rtnl_addr_get_ifindex(addr)), other);
    return util::make_error(
        util::Errc::kInvalidArgument,
        "address " + network.address.to_string() + " already in use on " + other +
            (rtnl_addr_get_ifindex(addr) == ifindex ? " (this interface)" : ""));
  }
  return {};
}

void delete_addresses(nl_sock* socket, int ifindex, const std::vector<IpNetwork>& addresses) {
  for (const auto& network : addresses) {
    auto addr = make_addr(ifindex, network);
    if (!addr) continue;
    if (const int err = rtnl_addr_delete(socket, addr.get(), 0);
        err < 0 && err != -NLE_NOADDR && err != -NLE_NODEV) {
      log::get("vpn")->warn("removing {} from ifindex {}: {}", network.to_string(), ifindex,
                            nl_geterror(err));
    }
  }
}

}  // namespace

util::Status validate_interface_settings(const InterfaceSettings& settings) {
  if (settings.mtu < 68 || settings.mtu > 65535) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "MTU " + std::to_string(settings.mtu) + " outside 68..65535");
  }
  for (size_t i = 0; i < settings.addresses.size(); ++i) {
    const auto& network = settings.addresses[i];
    if (network.address.empty())
      return util::make_error(util::Errc::kInvalidArgument, "empty address");
    if (network.address.is_v6() && settings.mtu < kIpv6MinMtu) {
      return util::make_error(util::Errc::kInvalidArgument,
                              "IPv6 address " + network.to_string() +
                                  " needs an MTU of at least 1280 (got " +
                                  std::to_string(settings.mtu) + ")");
    }
    for (size_t j = 0; j < i; ++j) {
      if (settings.addresses[j].address == network.address) {
        return util::make_error(util::Errc::kInvalidArgument,
                                "address " + network.address.to_string() + " given twice");
      }
    }
  }
  return {};
}

util::Result<InterfaceConfiguration> InterfaceConfiguration::apply(
    const std::string& name, const InterfaceSettings& settings) {
  EDGEVPN_TRY(validate_interface_settings(settings));
  EDGEVPN_TRY_ASSIGN(socket, connect_route_socket());
  rtnl_link* raw_link = nullptr;
  if (const int err = rtnl_link_get_kernel(socket.get(), 0, name.c_str(), &raw_link); err < 0) {
    return netlink_error("interface " + name, err);
  }
  std::unique_ptr<rtnl_link, LinkDeleter> link(raw_link);
  const int ifindex = rtnl_link_get_ifindex(link.get());

  for (const auto& network : settings.addresses) {
    EDGEVPN_TRY(check_not_in_use(socket.get(), ifindex, network));
  }
  {
    std::unique_ptr<rtnl_link, LinkDeleter> change(rtnl_link_alloc());
    rtnl_link_set_mtu(change.get(), static_cast<unsigned>(settings.mtu));
    if (const int err = rtnl_link_change(socket.get(), link.get(), change.get(), 0); err < 0) {
      return netlink_error("setting MTU " + std::to_string(settings.mtu) + " on " + name, err);
    }
  }
  // From here on, a failure undoes the addresses added so far.
  InterfaceConfiguration config(ifindex, {});
  for (const auto& network : settings.addresses) {
    auto addr = make_addr(ifindex, network);
    if (!addr) return util::make_error(util::Errc::kIo, "netlink: out of memory");
    if (const int err = rtnl_addr_add(socket.get(), addr.get(), NLM_F_EXCL); err < 0) {
      return netlink_error("adding " + network.to_string() + " to " + name, err);
    }
    config.added_.push_back(network);
  }
  if (settings.bring_up) {
    std::unique_ptr<rtnl_link, LinkDeleter> change(rtnl_link_alloc());
    rtnl_link_set_flags(change.get(), IFF_UP);
    if (const int err = rtnl_link_change(socket.get(), link.get(), change.get(), 0); err < 0) {
      return netlink_error("bringing " + name + " up", err);
    }
  }
  return config;
}

InterfaceConfiguration::InterfaceConfiguration(InterfaceConfiguration&& other) noexcept
    : ifindex_(other.ifindex_), added_(std::move(other.added_)) {
  other.added_.clear();
}

InterfaceConfiguration& InterfaceConfiguration::operator=(InterfaceConfiguration&& other) noexcept {
  if (this != &other) {
    (void)remove();
    ifindex_ = other.ifindex_;
    added_ = std::move(other.added_);
    other.added_.clear();
  }
  return *this;
}

InterfaceConfiguration::~InterfaceConfiguration() {
  (void)remove();
}

util::Status InterfaceConfiguration::remove() {
  if (added_.empty()) return {};
  auto socket = connect_route_socket();
  if (!socket.ok()) return socket.error();
  delete_addresses(socket->get(), ifindex_, added_);
  added_.clear();
  return {};
}

}  // namespace edgevpn::vpn
