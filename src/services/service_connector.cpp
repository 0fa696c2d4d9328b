// The connecting side of services: accept, look up, open the stream, pipe.
#include "services/service_connector.hpp"

#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "ledger/live/live_ledger.hpp"
#include "p2p/host/host.hpp"
#include "services/service_protocol.hpp"
#include "services/stream_pipe.hpp"
#include "services/tcp_dial.hpp"
#include "util/log/log.hpp"
#include "util/task/task_group.hpp"

namespace edgevpn::services {

struct Binding {
  std::string name;
  asio::ip::tcp::acceptor acceptor;
  asio::ip::tcp::endpoint endpoint;
  std::string last_peer;  // for the status line: the peer the service was last seen at
  size_t waiting = 0;     // connections waiting for the service
};

struct ConnectorCore {
  ConnectorCore(asio::io_context& i, p2p::host::Host& h, ledger::live::LiveLedger& l,
                ConnectorConfig c)
      : io(i), host(h), ledger(l), config(c), status_timer(i), tasks(i.get_executor(), "services") {}

  asio::io_context& io;
  p2p::host::Host& host;
  ledger::live::LiveLedger& ledger;
  ConnectorConfig config;
  std::vector<std::unique_ptr<Binding>> bindings;
  std::shared_ptr<PipeRegistry> pipes = std::make_shared<PipeRegistry>();
  bool running = false;  // start() to stop(); the coroutines hold the core and check it
  asio::steady_timer status_timer;
  bool started = false;
  ConnectorStats stats;
  task::TaskGroup tasks;  // accept and status loops, waiting connections, pipes
};

namespace {

using asio::ip::tcp;
using p2p::host::Stream;
using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> logger() { return log::get("services"); }

asio::awaitable<void> sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  asio::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

std::optional<crypto::PeerId> lookup(ConnectorCore& core, const std::string& name) {
  auto value = core.ledger.get(kServicesBucket, name);
  if (!value) return std::nullopt;
  auto record = decode_service(*value);
  if (!record) return std::nullopt;
  auto peer = crypto::PeerId::parse(record->peer_id);
  if (!peer) return std::nullopt;
  return *peer;
}

enum class Attempt { kPiped, kRetry, kGiveUp };

// One try at reaching the service for `socket`; the socket is handed to the pipe on success.
asio::awaitable<Attempt> try_tunnel(std::shared_ptr<ConnectorCore> core, Binding& binding,
                                    tcp::socket& socket, std::string& why) {
  auto peer = lookup(*core, binding.name);
  if (!peer) {
    why = "service not in the ledger";
    co_return Attempt::kRetry;
  }
  if (!is_user(core->ledger, core->ledger.self_id())) {
    why = "our users entry is not in the ledger yet";
    co_return Attempt::kRetry;
  }
  // Ours first, Go's as the fallback. (A named vector: GCC 12 rejects an initializer list
  // inside co_await.)
  std::vector<std::string> protocols{std::string(kServiceProtocol),
                                     std::string(kServiceProtocolGo)};
  auto opened = co_await core->host.new_stream(*peer, std::move(protocols));
  if (!core->running) co_return Attempt::kGiveUp;
  if (!opened) {
    why = "peer " + peer->to_base58() + ": " + opened.error().describe();
    co_return Attempt::kRetry;
  }
  Stream stream = std::move(*opened);
  const bool ours = stream.protocol() == kServiceProtocol;
  if (ours) {
    auto header = encode_service_header(binding.name);
    if (!co_await stream.write_all(header)) {
      why = "peer " + peer->to_base58() + " reset the stream (not in its users bucket yet?)";
      co_return Attempt::kRetry;
    }
    uint8_t byte = 0;
    auto status = co_await stream.read_exact(std::span<uint8_t>(&byte, 1));
    if (!core->running) co_return Attempt::kGiveUp;
    if (!status) {
      why = "peer " + peer->to_base58() + " reset the stream (not in its users bucket yet?)";
      co_return Attempt::kRetry;
    }
    auto parsed = parse_status(byte);
    if (parsed != ServiceStatus::kOk) {
      why = "peer " + peer->to_base58() + ": " +
            std::string(parsed ? describe(*parsed) : "bad status byte");
      stream.reset();
      if (parsed == ServiceStatus::kTargetUnreachable) {
        ++core->stats.refused;
        co_return Attempt::kGiveUp;
      }
      co_return Attempt::kRetry;  // unknown service: our ledger may be stale
    }
  } else {
    ++core->stats.go_streams;
  }
  ++core->stats.tunnelled;
  const std::string remote = peer->to_base58();
  logger()->debug("service '{}': tunnel to {} over {}", binding.name, remote, stream.protocol());
  PipeOptions options;
  options.buffer_size = core->config.buffer_size;
  options.label = "service " + binding.name + " -> " + remote;
  const std::string name = binding.name;
  options.on_done = [name, remote](const PipeTotals& totals) {
    logger()->debug("service '{}': connection to {} ended{} ({} bytes out, {} in)", name, remote,
                    totals.aborted ? " (aborted)" : "", totals.to_stream, totals.to_socket);
  };
  start_pipe(core->tasks, std::move(socket), std::move(stream), std::move(options), core->pipes);
  co_return Attempt::kPiped;
}

asio::awaitable<void> tunnel(std::shared_ptr<ConnectorCore> core, Binding& binding,
                             tcp::socket socket) {
  const auto deadline = Clock::now() + core->config.lookup_timeout;
  std::string why;
  ++binding.waiting;
  for (bool first = true; core->running; first = false) {
    const auto attempt = co_await try_tunnel(core, binding, socket, why);
    if (attempt == Attempt::kPiped) break;
    if (attempt == Attempt::kGiveUp || Clock::now() >= deadline) {
      if (core->running) {
        ++core->stats.gave_up;
        logger()->error("service '{}': connection closed: {}", binding.name, why);
      }
      break;
    }
    if (first) logger()->info("service '{}': connection waits: {}", binding.name, why);
    co_await sleep(core->config.retry_interval);
  }
  --binding.waiting;
  asio::error_code ignored;
  if (socket.is_open()) socket.close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<ConnectorCore> core, Binding& binding) {
  for (;;) {
    asio::error_code ec;
    tcp::socket socket = co_await binding.acceptor.async_accept(
        asio::redirect_error(asio::use_awaitable, ec));
    if (!core->running) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      logger()->warn("service '{}': accept: {}", binding.name, ec.message());
      co_await sleep(std::chrono::milliseconds(100));
      continue;
    }
    ++core->stats.accepted;
    core->tasks.spawn(tunnel(core, binding, std::move(socket)), "tunnel");
  }
}

// The visible status: where each service is, or that it is still missing from the ledger.
asio::awaitable<void> status_loop(std::shared_ptr<ConnectorCore> core) {
  while (core->running) {
    for (auto& binding : core->bindings) {
      auto peer = lookup(*core, binding->name);
      const std::string now = peer ? peer->to_base58() : std::string();
      if (now != binding->last_peer) {
        if (peer) {
          logger()->info("service '{}' is served by {}", binding->name, now);
        } else {
          logger()->warn("service '{}' is no longer in the ledger", binding->name);
        }
        binding->last_peer = now;
      } else if (!peer) {
        logger()->warn("service '{}': not in the ledger yet, waiting ({} connection(s) held)",
                       binding->name, binding->waiting);
      }
    }
    core->status_timer.expires_after(core->config.status_interval);
    asio::error_code ignored;
    co_await core->status_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace

ServiceConnector::ServiceConnector(asio::io_context& io, p2p::host::Host& host,
                                   ledger::live::LiveLedger& ledger, ConnectorConfig config)
    : core_(std::make_shared<ConnectorCore>(io, host, ledger, config)) {}

ServiceConnector::~ServiceConnector() { stop(); }

util::Status ServiceConnector::add(const std::string& name, const HostPort& listen) {
  if (name.empty() || name.size() > kMaxServiceNameLength) {
    return util::make_error(util::Errc::kInvalidArgument, "service name must be 1 to 1024 bytes");
  }
  auto acceptor = listen_tcp(core_->io, listen);
  if (!acceptor) return acceptor.error();
  auto binding = std::make_unique<Binding>(Binding{name, std::move(*acceptor), {}, {}, 0});
  binding->endpoint = binding->acceptor.local_endpoint();
  core_->bindings.push_back(std::move(binding));
  return {};
}

void ServiceConnector::start() {
  if (core_->started) return;
  core_->started = true;
  core_->running = true;
  if (core_->config.announce_user) {
    announce_user(core_->ledger, [weak = std::weak_ptr<ConnectorCore>(core_)] {
      auto core = weak.lock();
      return core && core->running;
    });
  }
  for (auto& binding : core_->bindings) {
    logger()->info("service '{}' reachable on {}:{}", binding->name,
                   binding->endpoint.address().to_string(), binding->endpoint.port());
    core_->tasks.spawn(accept_loop(core_, *binding), "accept loop");
  }
  core_->tasks.spawn(status_loop(core_), "status loop");
}

void ServiceConnector::stop() {
  if (!core_->running) {
    return;
  }
  core_->running = false;
  asio::error_code ignored;
  for (auto& binding : core_->bindings) binding->acceptor.close(ignored);
  core_->status_timer.cancel();
  core_->pipes->abort_all();
  core_->tasks.cancel();
}

std::vector<asio::ip::tcp::endpoint> ServiceConnector::endpoints() const {
  std::vector<asio::ip::tcp::endpoint> out;
  for (const auto& binding : core_->bindings) out.push_back(binding->endpoint);
  return out;
}

ConnectorStats ServiceConnector::stats() const {
  ConnectorStats out = core_->stats;
  out.open_connections = core_->pipes->size();
  return out;
}

}  // namespace edgevpn::services
