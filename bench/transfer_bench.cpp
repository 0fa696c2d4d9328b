// Bulk transfer over one yamux stream between two libp2p hosts on 127.0.0.1 (TCP + Noise +
// yamux), speaking /edgevpn-bench/sink/1.0.0 like tests/interop/bench_peer.mjs:
//   bench_transfer --listen [--port N]    prints {"addr": "..."}, serves until SIGTERM / stdin EOF
//   bench_transfer --send ADDR --bytes N  prints {"bytes","seconds","MBps","cpu_seconds"};
//                                         exit 1 on mismatch
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "p2p/host/host.hpp"
#include "util/log/log.hpp"

namespace {

using edgevpn::p2p::Multiaddr;
using edgevpn::p2p::host::Host;
using edgevpn::p2p::host::HostConfig;
using edgevpn::p2p::host::Stream;

constexpr const char* kProtocol = "/edgevpn-bench/sink/1.0.0";
constexpr size_t kWriteSize = 256 * 1024;

// Counts everything the dialer sends, answers with the count (8 bytes, big-endian).
asio::awaitable<void> sink_handler(Stream stream) {
  std::vector<uint8_t> buffer(256 * 1024);
  uint64_t count = 0;
  for (;;) {
    auto n = co_await stream.read_some(buffer);
    if (!n) {
      stream.reset();
      co_return;
    }
    if (*n == 0) break;
    count += *n;
  }
  // std::array, not a C array: GCC cannot keep C arrays in coroutine frames.
  std::array<uint8_t, 8> reply{};
  for (int i = 0; i < 8; ++i) reply[i] = static_cast<uint8_t>(count >> (56 - 8 * i));
  if (co_await stream.write_all(edgevpn::util::ByteView(reply.data(), reply.size()))) {
    (void)stream.close();
  }
}

int run_listen(uint16_t port) {
  asio::io_context io;
  HostConfig config;
  config.listen_addrs = {*Multiaddr::from_tcp("127.0.0.1", port)};
  Host host(io, edgevpn::crypto::PrivateKey::generate_ed25519(), config);
  if (auto status = host.start(); !status) {
    std::fprintf(stderr, "listen: %s\n", status.error().describe().c_str());
    return 1;
  }
  host.set_stream_handler(kProtocol, sink_handler);
  std::printf("{\"addr\": \"%s\"}\n",
              host.listen_addrs().front().with_peer_id(host.peer_id()).to_string().c_str());
  std::fflush(stdout);

  bool stopping = false;
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    asio::co_spawn(io, host.close(), [&io](std::exception_ptr) { io.stop(); });
  };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (!ec) stop();
  });
  // stdin EOF also stops us, so a runner that dies takes its listeners along.
  asio::posix::stream_descriptor input(io, ::dup(STDIN_FILENO));
  auto watch_stdin = [&]() -> asio::awaitable<void> {
    std::array<char, 256> buf{};
    asio::error_code ec;
    while (!ec) {
      co_await input.async_read_some(asio::buffer(buf),
                                     asio::redirect_error(asio::use_awaitable, ec));
    }
    stop();
  };
  asio::co_spawn(io, watch_stdin(), asio::detached);
  io.run();
  return 0;
}

// User + system CPU time of this process: on a loaded machine the wall clock mostly measures
// the wait for a core, the CPU time what the transfer costs.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto to_seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return to_seconds(usage.ru_utime) + to_seconds(usage.ru_stime);
}

struct SendOutcome {
  int exit_code = 1;
};

asio::awaitable<void> send(Host& host, Multiaddr addr, uint64_t total, SendOutcome& outcome) {
  auto peer = co_await host.connect(addr);
  if (!peer) {
    std::fprintf(stderr, "connect: %s\n", peer.error().describe().c_str());
    co_return;
  }
  // A named vector: GCC miscompiles braced initializer lists inside co_await expressions.
  std::vector<std::string> protocols{kProtocol};
  auto stream = co_await host.new_stream(*peer, std::move(protocols));
  if (!stream) {
    std::fprintf(stderr, "new_stream: %s\n", stream.error().describe().c_str());
    co_return;
  }
  std::vector<uint8_t> chunk(kWriteSize, 0x5a);
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t sent = 0; sent < total;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), total - sent));
    if (auto status = co_await stream->write_all(edgevpn::util::ByteView(chunk.data(), n));
        !status) {
      std::fprintf(stderr, "write: %s\n", status.error().describe().c_str());
      co_return;
    }
    sent += n;
  }
  if (auto status = stream->close(); !status) {
    std::fprintf(stderr, "close: %s\n", status.error().describe().c_str());
    co_return;
  }
  std::array<uint8_t, 8> reply{};
  if (auto status = co_await stream->read_exact(reply); !status) {
    std::fprintf(stderr, "reply: %s\n", status.error().describe().c_str());
    co_return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t count = 0;
  for (uint8_t byte : reply) count = (count << 8) | byte;
  std::printf("{\"bytes\": %llu, \"seconds\": %.3f, \"MBps\": %.1f, \"cpu_seconds\": %.3f}\n",
              static_cast<unsigned long long>(count), seconds, count / seconds / 1e6,
              cpu_seconds());
  std::fflush(stdout);
  outcome.exit_code = count == total ? 0 : 1;
}

int run_send(const std::string& text, uint64_t total) {
  auto addr = Multiaddr::parse(text);
  if (!addr || !addr->tcp_endpoint()) {
    std::fprintf(stderr, "bad address %s\n", text.c_str());
    return 2;
  }
  asio::io_context io;
  HostConfig config;
  config.enable_identify = false;  // nothing but the transfer on the connection
  config.enable_ping = false;
  Host host(io, edgevpn::crypto::PrivateKey::generate_ed25519(), config);
  if (auto status = host.start(); !status) {
    std::fprintf(stderr, "start: %s\n", status.error().describe().c_str());
    return 1;
  }
  SendOutcome outcome;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await send(host, *addr, total, outcome);
        co_await host.close();
      },
      [&io](std::exception_ptr) { io.stop(); });
  io.run();
  return outcome.exit_code;
}

const char* option(int argc, char** argv, const char* name) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return nullptr;
}

bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  edgevpn::log::set_level(spdlog::level::warn);
  std::signal(SIGPIPE, SIG_IGN);
  if (flag(argc, argv, "--listen")) {
    const char* port = option(argc, argv, "--port");
    return run_listen(static_cast<uint16_t>(port ? std::atoi(port) : 0));
  }
  const char* addr = option(argc, argv, "--send");
  if (addr) {
    const char* bytes = option(argc, argv, "--bytes");
    return run_send(addr, bytes ? std::strtoull(bytes, nullptr, 10) : 256ull << 20);
  }
  std::fprintf(stderr,
               "usage: bench_transfer --listen [--port N]\n"
               "       bench_transfer --send ADDR --bytes N\n");
  return 2;
}
