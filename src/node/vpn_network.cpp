// VpnNetwork: TUN + VpnService + the ledger's machines bucket.
#include "node/vpn_network.hpp"

#include "ledger/go_json.hpp"
#include "node/machine_entry.hpp"
#include "util/log/log.hpp"
#include "vpn/service/vpn_service.hpp"

namespace edgevpn::node {
namespace {

constexpr std::string_view kMachinesBucket = "machines";

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

  // Spec 10.1: (re)write machines[<my IP>] when it is missing or names another peer.
  bool announce() {
    if (!running_) return false;
    auto& ledger = node_.ledger();
    for (const auto& network : options_.tun.addresses) {
      const std::string address = network.address.to_string();
      auto current = ledger.get(kMachinesBucket, address);
      if (current && machine_peer(*current) == ledger.self_id()) continue;
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
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // the announce loop outlives us
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
  auto impl = std::make_unique<Impl>(node, std::move(options), std::move(*tun));
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

  state.subscription_ = node.ledger().on_change([&state] { state.rebuild_routes(); });
  state.rebuild_routes();
  node.ledger().announce([&state, alive = state.alive_] { return *alive && state.announce(); });
  logger()->info("VPN on {} with {}", state.tun_.name(),
                 state.options_.tun.addresses.front().to_string());
  return std::unique_ptr<VpnNetwork>(new VpnNetwork(std::move(impl)));
}

VpnNetwork::VpnNetwork(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VpnNetwork::~VpnNetwork() { stop(); }

void VpnNetwork::stop() {
  if (!impl_->running_) return;
  impl_->running_ = false;
  *impl_->alive_ = false;
  impl_->subscription_.reset();
  impl_->service_->stop();
  impl_->tun_.close();
}

const std::string& VpnNetwork::interface_name() const { return impl_->tun_.name(); }

}  // namespace edgevpn::node
