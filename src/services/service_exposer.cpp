// The serving side of services: access check, name header, dial, pipe.
#include "services/service_exposer.hpp"

#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <map>

#include "ledger/live/live_ledger.hpp"
#include "p2p/host/host.hpp"
#include "services/service_protocol.hpp"
#include "services/stream_pipe.hpp"
#include "services/tcp_dial.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::services {

struct ExposerCore {
  ExposerCore(asio::io_context& i, p2p::host::Host& h, ledger::live::LiveLedger& l,
              ExposerConfig c)
      : io(i), host(h), ledger(l), config(c), tasks(i.get_executor(), "services") {}

  asio::io_context& io;
  p2p::host::Host& host;
  ledger::live::LiveLedger& ledger;
  ExposerConfig config;
  std::map<std::string, HostPort> services;
  std::string go_default;  // the service /edgevpn/service/0.1 reaches
  std::shared_ptr<PipeRegistry> pipes = std::make_shared<PipeRegistry>();
  bool running = false;  // start() to stop(); the coroutines hold the core and check it
  bool started = false;
  ExposerStats stats;
  task::TaskGroup tasks;  // header deadlines and pipes; cancelled by stop()
};

namespace {

using p2p::host::Stream;

std::shared_ptr<spdlog::logger> logger() { return log::get("services"); }

// Resets the stream when the header has not arrived in time.
asio::awaitable<void> header_deadline(Stream stream, std::chrono::milliseconds timeout,
                                      std::shared_ptr<bool> done) {
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  asio::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (!*done) stream.reset();
}

asio::awaitable<void> write_status(Stream& stream, ServiceStatus status) {
  const uint8_t byte = static_cast<uint8_t>(status);
  (void)co_await stream.write_all(util::ByteView(&byte, 1));
}

asio::awaitable<void> serve_stream(std::shared_ptr<ExposerCore> core, Stream stream, bool ours) {
  const std::string remote = stream.remote_peer().to_base58();
  if (!core->running) {
    stream.reset();
    co_return;
  }
  if (!is_user(core->ledger, remote)) {
    ++core->stats.refused_not_user;
    logger()->warn("service stream from {} refused: not in the users bucket", remote);
    stream.reset();
    co_return;
  }
  std::string name = core->go_default;
  if (ours) {
    auto done = std::make_shared<bool>(false);
    core->tasks.spawn(header_deadline(stream, core->config.header_timeout, done),
                      "header deadline");
    auto header = co_await read_service_header(stream);
    *done = true;
    if (!header) {
      ++core->stats.bad_header;
      logger()->warn("service stream from {}: {}", remote, header.error().describe());
      stream.reset();
      co_return;
    }
    name = std::move(*header);
  }
  auto it = core->services.find(name);
  if (it == core->services.end()) {
    ++core->stats.unknown_service;
    logger()->warn("peer {} asked for service '{}', which is not served here", remote, name);
    co_await write_status(stream, ServiceStatus::kUnknownService);
    (void)stream.close();
    co_return;
  }
  const HostPort target = it->second;
  auto socket = co_await dial_tcp(target, core->config.dial_timeout);
  if (!core->running) {
    stream.reset();
    co_return;
  }
  if (!socket) {
    ++core->stats.target_unreachable;
    logger()->error("service '{}' for {}: {}", name, remote, socket.error().message);
    if (ours) {
      co_await write_status(stream, ServiceStatus::kTargetUnreachable);
      (void)stream.close();
    } else {
      stream.reset();
    }
    co_return;
  }
  if (ours) {
    const uint8_t ok = static_cast<uint8_t>(ServiceStatus::kOk);
    if (!co_await stream.write_all(util::ByteView(&ok, 1))) co_return;
  }
  ++core->stats.accepted;
  logger()->info("service '{}': connection from {} to {}", name, remote, target.to_string());
  PipeOptions options;
  options.buffer_size = core->config.buffer_size;
  options.label = "service " + name + " <- " + remote;
  options.on_done = [name, remote](const PipeTotals& totals) {
    logger()->info("service '{}': connection from {} ended{} ({} bytes in, {} out)", name, remote,
                   totals.aborted ? " (aborted)" : "", totals.to_socket, totals.to_stream);
  };
  start_pipe(core->tasks, std::move(*socket), std::move(stream), std::move(options), core->pipes);
}

}  // namespace

ServiceExposer::ServiceExposer(asio::io_context& io, p2p::host::Host& host,
                               ledger::live::LiveLedger& ledger, ExposerConfig config)
    : core_(std::make_shared<ExposerCore>(io, host, ledger, config)) {}

ServiceExposer::~ServiceExposer() { stop(); }

util::Status ServiceExposer::add(const std::string& name, HostPort target) {
  if (name.empty() || name.size() > kMaxServiceNameLength) {
    return util::make_error(util::Errc::kInvalidArgument, "service name must be 1 to 1024 bytes");
  }
  if (target.port == 0) {
    return util::make_error(util::Errc::kInvalidArgument, "service '" + name + "' needs a port");
  }
  if (!core_->services.emplace(name, std::move(target)).second) {
    return util::make_error(util::Errc::kInvalidArgument, "service '" + name + "' given twice");
  }
  if (core_->go_default.empty()) core_->go_default = name;
  return {};
}

void ServiceExposer::start() {
  if (core_->started) return;
  core_->started = true;
  core_->running = true;
  auto core = core_;
  core_->host.set_stream_handler(std::string(kServiceProtocol), [core](Stream stream) {
    return serve_stream(core, std::move(stream), /*ours=*/true);
  });
  core_->host.set_stream_handler(std::string(kServiceProtocolGo), [core](Stream stream) {
    return serve_stream(core, std::move(stream), /*ours=*/false);
  });
  if (core_->services.size() > 1) {
    logger()->info("Go EdgeVPN peers (/edgevpn/service/0.1) reach only service '{}'",
                   core_->go_default);
  }
  // Spec 10.2: re-Add while missing or held by another peer.
  for (const auto& [name, target] : core_->services) {
    logger()->info("exposing service '{}' -> {}", name, target.to_string());
    std::weak_ptr<ExposerCore> weak = core_;
    const std::string service_name = name;
    core_->ledger.announce([weak, service_name] {
      auto core = weak.lock();
      if (!core || !core->running) return false;
      auto* ledger = &core->ledger;
      const auto& self = ledger->self_id();
      auto current = ledger->get(kServicesBucket, service_name);
      auto decoded = current ? decode_service(*current) : util::Result<ServiceRecord>(
                                                              util::make_error(util::Errc::kNotFound, ""));
      if (!decoded || decoded->peer_id != self) {
        ledger->add(kServicesBucket, service_name, encode_service({self, service_name}));
      }
      return true;
    });
  }
}

void ServiceExposer::stop() {
  if (!core_->started || !core_->running) return;
  core_->running = false;
  core_->host.remove_stream_handler(std::string(kServiceProtocol));
  core_->host.remove_stream_handler(std::string(kServiceProtocolGo));
  core_->pipes->abort_all();
  core_->tasks.cancel();
}

ExposerStats ServiceExposer::stats() const {
  ExposerStats out = core_->stats;
  out.open_connections = core_->pipes->size();
  return out;
}

}  // namespace edgevpn::services
