// DhcpAllocator: the lease file, and decide_dhcp() run on a timer against the live ledger.
#include "node/dhcp_allocator.hpp"

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ledger/live/live_ledger.hpp"
#include "node/dhcp_policy.hpp"
#include "node/machine_entry.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::node {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto instance = log::get("dhcp");
  return instance;
}

std::optional<vpn::IpAddress> read_lease(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !(in >> text)) return std::nullopt;
  auto address = vpn::IpAddress::parse(text);
  if (!address || !address->is_v4()) {
    logger()->warn("ignoring lease file {}: '{}' is not an IPv4 address", path.string(), text);
    return std::nullopt;
  }
  return *address;
}

util::Status write_lease(const std::filesystem::path& path, const vpn::IpAddress& address) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  const auto temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << address.to_string();
    if (!out) {
      return util::make_error(util::Errc::kIo, "cannot write lease file " + temporary);
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return util::make_error(util::Errc::kIo,
                            "cannot write lease file " + path.string() + ": " + error.message());
  }
  return {};
}

}  // namespace

class DhcpAllocator::Impl {
 public:
  Impl(asio::io_context& io, Node& node, DhcpOptions options, OnAddress on_address)
      : node_(node),
        options_(std::move(options)),
        on_address_(std::move(on_address)),
        tasks_(io.get_executor(), "dhcp") {}

  std::filesystem::path lease_path() const {
    return std::filesystem::path(options_.lease_dir) / options_.lease_name;
  }

  DhcpView view() const {
    auto& ledger = node_.ledger();
    DhcpView out;
    out.self = ledger.self_id();
    out.available = ledger.available_nodes(options_.heartbeat_max_age);
    out.fallback = options_.fallback;
    const auto data = ledger.current_data();
    if (auto bucket = data.find("machines"); bucket != data.end()) {
      for (const auto& [address, value] : bucket->second) {
        if (auto peer = machine_peer(value)) out.machines.emplace_back(address, *peer);
      }
    }
    if (auto leader = ledger.get("dhcp", "leader")) {
      auto parsed = nlohmann::json::parse(*leader, nullptr, false);
      if (parsed.is_string()) out.recorded_leader = parsed.get<std::string>();
    }
    return out;
  }

  // One round; true once the address is ours.
  bool step() {
    const auto decision = decide_dhcp(view());
    switch (decision.kind) {
      case DhcpDecision::Kind::kWait:
        if (decision.reason != last_reason_) logger()->info("DHCP: {}", decision.reason);
        last_reason_ = decision.reason;
        return false;
      case DhcpDecision::Kind::kClaimLeadership:
        logger()->info("DHCP: elected to allocate the next address");
        node_.ledger().persist("dhcp", "leader",
                               nlohmann::json(node_.ledger().self_id()).dump(),
                               std::chrono::seconds(15));
        return false;
      case DhcpDecision::Kind::kTake:
        break;
    }
    if (auto status = write_lease(lease_path(), decision.address); !status) {
      logger()->warn("DHCP: {}", status.error().message);
    }
    logger()->info("DHCP: took {}", decision.address.to_string());
    deliver(decision.address);
    return true;
  }

  void deliver(const vpn::IpAddress& address) {
    vpn::IpNetwork network;
    network.address = address;
    network.prefix_length = options_.prefix_length;
    on_address_(network);
  }

  Node& node_;  // outlives the allocator; not used once stopped_
  DhcpOptions options_;
  OnAddress on_address_;
  std::string last_reason_;
  bool stopped_ = false;
  task::TaskGroup tasks_;  // the allocation rounds; cancelled when the allocator goes
};

namespace {

asio::awaitable<void> allocate(std::shared_ptr<DhcpAllocator::Impl> impl) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!impl->stopped_) {
    if (impl->step()) co_return;
    timer.expires_after(impl->options_.interval);
    std::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
  }
}

}  // namespace

util::Result<std::unique_ptr<DhcpAllocator>> DhcpAllocator::start(asio::io_context& io,
                                                                  Node& node,
                                                                  DhcpOptions options,
                                                                  OnAddress on_address) {
  if (!options.fallback.is_v4()) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "--dhcp hands out IPv4 addresses: --address must be IPv4");
  }
  auto impl = std::make_shared<Impl>(io, node, std::move(options), std::move(on_address));
  if (auto lease = read_lease(impl->lease_path())) {
    logger()->info("DHCP: reusing lease {} from {}", lease->to_string(),
                   impl->lease_path().string());
    asio::post(io, [impl, address = *lease] {
      if (!impl->stopped_) impl->deliver(address);
    });
  } else {
    impl->tasks_.spawn(allocate(impl), "allocation");
  }
  return std::unique_ptr<DhcpAllocator>(new DhcpAllocator(std::move(impl)));
}

DhcpAllocator::DhcpAllocator(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

DhcpAllocator::~DhcpAllocator() {
  impl_->stopped_ = true;
  impl_->tasks_.cancel();
}

}  // namespace edgevpn::node
