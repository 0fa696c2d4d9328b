// VpnNetwork: TUN + VpnService + the ledger's machines bucket.
#include "node/vpn_network.hpp"

#include <chrono>
#include <map>

#include "ledger/go_json.hpp"
#include "ledger/live/live_ledger.hpp"
#include "node/machine_entry.hpp"
#include "p2p/host/host.hpp"
#include "util/log/log.hpp"
#include "vpn/service/vpn_service.hpp"

namespace edgevpn::node {
namespace {

constexpr std::string_view kMachinesBucket = "machines";
// How long a node with ledger ownership waits to hear the network before claiming its address.
constexpr auto kClaimGrace = std::chrono::seconds(3);

std::shared_ptr<spdlog::logger> logger() {
  static auto instance = log::get("vpn");
  return instance;
}

}  // namespace

util::Result<VpnNetworkOptions> vpn_options_from(const Options& options) {
  VpnNetworkOptions out;
  out.tun.name = options.interface_name;
  out.tun.bootstrap_iface = options.bootstrap_iface;
  out.tun.mtu = options.mtu;
  if (options.address.empty()) {
    return util::make_error(util::Errc::kInvalidArgument, "--address: a VPN address is required");
  }
  for (const auto& text : options.address) {
    auto network = vpn::IpNetwork::parse(text);
    if (!network) {
      return util::make_error(util::Errc::kInvalidArgument,
                              "--address " + text + ": " + network.error().message);
    }
    out.tun.addresses.push_back(*network);
  }
  for (const auto& network : out.tun.addresses) {
    if (network.address.is_v6() && options.mtu < 1280) {
      return util::make_error(util::Errc::kInvalidArgument,
                              "--mtu " + std::to_string(options.mtu) + ": IPv6 (--address " +
                                  network.to_string() + ") needs an MTU of at least 1280");
    }
  }
  if (options.packet_mtu < 576 || options.packet_mtu > 65535) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "--packet-mtu " + std::to_string(options.packet_mtu) +
                                ": must be between 576 and 65535");
  }
  out.data_plane.addresses = out.tun.addresses;
  out.data_plane.legacy_streams_in_flight =
      static_cast<size_t>(std::max(1, options.concurrency));
  out.static_peertable = options.static_peertable;
  out.router = options.router;
  if (!out.router.empty()) {
    auto router = vpn::IpAddress::parse(out.router);
    if (!router) {
      return util::make_error(util::Errc::kInvalidArgument,
                              "--router " + out.router + ": " + router.error().message);
    }
    out.data_plane.router = *router;
  }
  return out;
}

class VpnNetwork::Impl {
 public:
  Impl(Node& node, VpnNetworkOptions options, vpn::TunDevice tun)
      : node_(node), options_(std::move(options)), tun_(std::move(tun)) {}

  // Routes from the machines bucket; under ownership, only entries whose owner is live.
  void rebuild_routes() {
    if (!service_) return;
    auto& ledger = node_.ledger();
    const bool ownership = ledger.state().mode() != ledger::OwnershipMode::kOff;
    const auto data = ledger.current_data();
    std::vector<vpn::RouteEntry> routes;
    if (auto bucket = data.find(std::string(kMachinesBucket)); bucket != data.end()) {
      for (const auto& [address, value] : bucket->second) {
        auto peer = machine_peer(value);
        if (!peer) continue;
        if (ownership && *peer != ledger.self_id() && !ledger.is_live(*peer)) continue;
        auto entry = vpn::make_route_entry(address, *peer);
        if (entry) routes.push_back(std::move(*entry));
      }
    }
    service_->set_routes(std::move(routes));
  }

  // Spec 10.1: (re)write machines[<my IP>] when it is missing or names another peer. Under
  // ownership we do better than Go's nodes, which keep re-claiming an address in their own
  // ledger that the rest of the network gives to its first, live claimant: we leave such an
  // address to that peer, and claim nothing before we have heard the network (or kClaimGrace
  // has passed), so that an earlier claim is seen before ours is made.
  bool announce() {
    if (!running_) return false;
    auto& ledger = node_.ledger();
    const bool ownership = ledger.state().mode() != ledger::OwnershipMode::kOff;
    if (ownership && ledger.stats().merges == 0 &&
        std::chrono::steady_clock::now() < claim_after_) {
      return true;
    }
    for (const auto& network : options_.tun.addresses) {
      const std::string address = network.address.to_string();
      auto current = ledger.get(kMachinesBucket, address);
      auto holder = current ? machine_peer(*current) : std::nullopt;
      if (holder == ledger.self_id()) continue;
      if (ownership && holder && ledger.is_live(*holder)) {
        if (yielded_[address] != *holder) {
          yielded_[address] = *holder;
          logger()->warn(
              "{} belongs to {}, a live peer that claimed it first: not claiming it "
              "(choose another --address)",
              address, *holder);
        }
        continue;
      }
      yielded_.erase(address);
      ledger.add(kMachinesBucket, address,
                 machine_json(ledger.self_id(), address, options_.version));
    }
    return true;
  }

  Node& node_;
  VpnNetworkOptions options_;
  vpn::TunDevice tun_;
  std::unique_ptr<vpn::VpnService> service_;
  ledger::live::Subscription subscription_;
  bool running_ = false;
  std::chrono::steady_clock::time_point claim_after_ =
      std::chrono::steady_clock::now() + kClaimGrace;
  std::map<std::string, std::string> yielded_;  // address -> the live peer we left it to
  bool first_merge_seen_ = false;  // announce() ran after the first merge from the network
};

util::Result<std::unique_ptr<VpnNetwork>> VpnNetwork::start(asio::io_context& io, Node& node,
                                                            VpnNetworkOptions options) {
  auto static_table = vpn::parse_peertable(options.static_peertable);
  if (!static_table) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "--static-peertable: " + static_table.error().message);
  }
  auto tun = vpn::TunDevice::open(options.tun);
  if (!tun) {
    return util::make_error(tun.error().code,
                            "TUN " + options.tun.name + ": " + tun.error().message);
  }
  auto impl = std::make_shared<Impl>(node, std::move(options), std::move(*tun));
  Impl& state = *impl;
  state.service_ = std::make_unique<vpn::VpnService>(io, node.host(), state.tun_.fd(),
                                                     state.options_.data_plane);
  if (!state.options_.static_peertable.empty()) state.service_->set_static_table(*static_table);
  EDGEVPN_TRY(state.service_->start());
  state.running_ = true;

  // Spec 7.1: libp2p never dials into the VPN's own subnets (packets would loop through us).
  std::vector<vpn::IpNetwork> blocked = state.options_.tun.addresses;
  node.host().set_dial_filter([blocked](const p2p::Multiaddr& addr) {
    auto endpoint = addr.tcp_endpoint();
    if (!endpoint) return true;
    auto ip = vpn::IpAddress::parse(endpoint->host);
    if (!ip) return true;
    for (const auto& network : blocked) {
      if (network.contains(*ip)) return false;
    }
    return true;
  });

  // The first ledger heard from the network may hold an earlier claim of our address: the
  // claim is decided then, not at the next announce tick.
  state.subscription_ = node.ledger().on_change([&state] {
    state.rebuild_routes();
    if (!state.first_merge_seen_ && state.node_.ledger().stats().merges > 0) {
      state.first_merge_seen_ = true;
      state.announce();
    }
  });
  state.rebuild_routes();
  // The announce loop outlives us: it holds the state weakly (the subscription above is ours).
  node.ledger().announce([weak = std::weak_ptr<Impl>(impl)] {
    auto state = weak.lock();
    return state && state->announce();
  });
  logger()->info("VPN on {} with {}", state.tun_.name(),
                 state.options_.tun.addresses.front().to_string());
  return std::unique_ptr<VpnNetwork>(new VpnNetwork(std::move(impl)));
}

VpnNetwork::VpnNetwork(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
VpnNetwork::~VpnNetwork() { stop(); }

void VpnNetwork::stop() {
  if (!impl_->running_) return;
  impl_->running_ = false;
  impl_->subscription_.reset();
  impl_->service_->stop();
  impl_->tun_.close();
}

const std::string& VpnNetwork::interface_name() const { return impl_->tun_.name(); }

}  // namespace edgevpn::node
