// VpnService: wires the core to the host (stream handlers) and runs the TUN reader, which reads
// batches of packets per wake-up and routes them into the peer queues.
#include "vpn/service/vpn_service.hpp"

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <string>

#include "p2p/host/host.hpp"
#include "vpn/packet/fast_framing.hpp"
#include "vpn/service/service_core.hpp"
#include "vpn/service/stream_receiver.hpp"

namespace edgevpn::vpn {
namespace {

constexpr size_t kMaxReadErrorsInARow = 1000;
constexpr auto kReadErrorPause = std::chrono::milliseconds(10);

// Reads the TUN until it is empty, routing batch after batch; waits for readiness only then
// (the reactor is edge-triggered), and yields after `tun_batches_per_wake` full batches so the
// senders write what was queued.
asio::awaitable<void> run_tun_reader(std::shared_ptr<ServiceCore> core) {
  ServiceCore& c = *core;
  PacketBatch batch(c.config.tun_batch_size, c.config.max_packet_size);
  asio::steady_timer pause(c.executor);
  size_t errors_in_a_row = 0;
  while (!c.stopped) {
    bool drained = false;
    bool failed = false;
    const auto now = std::chrono::steady_clock::now();
    for (size_t round = 0; round < c.config.tun_batches_per_wake && !c.stopped; ++round) {
      batch.clear();
      auto count = c.port.read_batch(batch);
      if (!count.ok()) {
        if (c.stopped) co_return;
        ++c.stats.tun_read_errors;
        if (count.error().code == util::Errc::kClosed) {
          c.log->warn("TUN reader stops: {}", count.error().describe());
          co_return;
        }
        if (++errors_in_a_row > kMaxReadErrorsInARow) {
          c.log->error("TUN reader stops: {}", count.error().describe());
          co_return;
        }
        if (errors_in_a_row == 1) c.log->warn("TUN read failed: {}", count.error().describe());
        failed = true;
        break;
      }
      errors_in_a_row = 0;
      c.route_batch(batch, now);
      if (c.port.drained()) {
        drained = true;
        break;
      }
    }
    if (c.stopped) break;
    if (failed) {
      // Readiness may never be signalled again for an error: retry after a short pause.
      pause.expires_after(kReadErrorPause);
      asio::error_code ignored;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    } else if (drained) {
      if (auto ready = co_await c.port.wait_readable(); !ready.ok()) {
        if (!c.stopped) c.log->warn("TUN reader stops: {}", ready.error().describe());
        co_return;
      }
    } else {
      co_await asio::post(c.executor, asio::use_awaitable);
    }
  }
}

asio::awaitable<void> run_tun_writer(std::shared_ptr<ServiceCore> core) {
  co_await core->port.run_writer();
}

}  // namespace

VpnService::VpnService(asio::io_context& io, p2p::host::Host& host, int tun_fd, VpnConfig config)
    : core_(std::make_shared<ServiceCore>(io.get_executor(), host, tun_fd, std::move(config))) {
  core_->weak_self = core_;
  if (core_->config.max_packet_size > kMaxFastFramePacket) {
    core_->config.max_packet_size = kMaxFastFramePacket;
  }
  if (core_->config.tun_batch_size == 0) core_->config.tun_batch_size = 1;
  if (core_->config.tun_batches_per_wake == 0) core_->config.tun_batches_per_wake = 1;
  if (core_->config.legacy_streams_in_flight == 0) core_->config.legacy_streams_in_flight = 1;
}

VpnService::~VpnService() {
  stop();
}

util::Status VpnService::start() {
  if (started_)
    return util::make_error(util::Errc::kInvalidArgument, "VPN service already started");
  EDGEVPN_TRY(core_->port.open());
  started_ = true;
  // The handlers hold the core weakly: the host may outlive the service.
  std::weak_ptr<ServiceCore> weak = core_;
  core_->host.set_stream_handler(std::string(kLegacyProtocolId), [weak](p2p::host::Stream stream) {
    return serve_legacy_stream(weak.lock(), std::move(stream));
  });
  if (core_->config.enable_fastpath) {
    core_->host.set_stream_handler(std::string(kFastPathProtocolId),
                                   [weak](p2p::host::Stream stream) {
                                     return serve_fastpath_stream(weak.lock(), std::move(stream));
                                   });
  }
  core_->tasks.spawn(run_tun_reader(core_), "TUN reader");
  core_->tasks.spawn(run_tun_writer(core_), "TUN writer");
  return {};
}

void VpnService::stop() {
  if (!core_ || core_->stopped) return;
  if (started_) {
    core_->host.remove_stream_handler(std::string(kLegacyProtocolId));
    if (core_->config.enable_fastpath) {
      core_->host.remove_stream_handler(std::string(kFastPathProtocolId));
    }
  }
  core_->stop();
}

void VpnService::set_routes(std::vector<RouteEntry> machines) {
  core_->routes.rebuild_machines(machines);
  core_->enforce_access();
}

void VpnService::set_static_table(std::vector<RouteEntry> table) {
  core_->routes.set_static_table(table);
  core_->enforce_access();
}

void VpnService::set_addresses(std::vector<IpNetwork> addresses) {
  core_->config.addresses = std::move(addresses);
  core_->apply_addresses();
}

void VpnService::set_router(std::optional<IpAddress> router) {
  core_->config.router = router;
  core_->apply_addresses();
}

VpnStats VpnService::stats() const {
  VpnStats stats = core_->stats;
  for (const auto& [peer, sender] : core_->senders) {
    if (sender->mode == PeerMode::kFastPath) ++stats.fastpath_peers;
    if (sender->mode == PeerMode::kLegacy) ++stats.legacy_peers;
  }
  return stats;
}

const RouteIndex& VpnService::routes() const {
  return core_->routes;
}
const VpnConfig& VpnService::config() const {
  return core_->config;
}

}  // namespace edgevpn::vpn
