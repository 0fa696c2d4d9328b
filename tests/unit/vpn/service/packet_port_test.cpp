// PacketPort on a SOCK_SEQPACKET socketpair standing in for /dev/net/tun: batch reads, ordered
// backlog when the fd is full, bounded backlog, close.
#include "vpn/service/packet_port.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "../../p2p/host/io_thread.hpp"

namespace edgevpn::vpn {
namespace {

util::Bytes numbered_packet(uint32_t sequence, size_t size) {
  util::Bytes packet(size, 0x61);
  util::Bytes prefix;
  util::put_u32_be(prefix, sequence);
  std::copy(prefix.begin(), prefix.end(), packet.begin());
  return packet;
}

class PacketPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    port_fd_ = fds[0];
    kernel_fd_ = fds[1];
  }
  void TearDown() override {
    // Close first and let a running writer see it, then free the port.
    io_.call([this] {
      if (port_) port_->close();
      return 0;
    });
    io_.call([this] {
      port_.reset();
      return 0;
    });
    io_.stop();
    ::close(port_fd_);
    ::close(kernel_fd_);
  }

  PacketPort& make_port(size_t backlog_limit) {
    return io_.call([this, backlog_limit]() -> PacketPort& {
      port_ = std::make_unique<PacketPort>(io_.io().get_executor(), port_fd_, backlog_limit);
      EXPECT_TRUE(port_->open().ok());
      return *port_;
    });
  }

  std::optional<util::Bytes> receive(std::chrono::milliseconds timeout) {
    pollfd waiting{kernel_fd_, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    util::Bytes packet(70000);
    const ssize_t n = ::recv(kernel_fd_, packet.data(), packet.size(), 0);
    if (n <= 0) return std::nullopt;
    packet.resize(static_cast<size_t>(n));
    return packet;
  }

  static asio::awaitable<void> writer(PacketPort* port) { co_await port->run_writer(); }

  testing::IoThread io_;
  std::unique_ptr<PacketPort> port_;
  int port_fd_ = -1;
  int kernel_fd_ = -1;
};

TEST_F(PacketPortTest, ReadsManyPacketsPerBatch) {
  PacketPort& port = make_port(1 << 20);
  for (uint32_t i = 0; i < 100; ++i) {
    const auto packet = numbered_packet(i, 100 + i);
    ASSERT_EQ(::send(kernel_fd_, packet.data(), packet.size(), 0), ssize_t(packet.size()));
  }
  const auto counts = io_.call([&port] {
    std::vector<size_t> counts;
    PacketBatch batch(64, 2048);
    for (int round = 0; round < 3; ++round) {
      batch.clear();
      counts.push_back(port.read_batch(batch).value());
      if (round == 1) {
        EXPECT_EQ(batch.packet(35).size(), 199u);
        EXPECT_EQ(util::get_u32_be(batch.packet(35).data()), 99u);
      }
    }
    return counts;
  });
  EXPECT_EQ(counts, (std::vector<size_t>{64, 36, 0}));
}

TEST_F(PacketPortTest, KeepsOrderThroughTheBacklogWhenTheFdIsFull) {
  PacketPort& port = make_port(4 << 20);
  constexpr uint32_t kPackets = 3000;  // ~3 MB: far more than the socket buffer holds
  const auto outcomes = io_.call([&port] {
    std::array<size_t, 3> outcomes{};
    for (uint32_t i = 0; i < kPackets; ++i) {
      ++outcomes[static_cast<size_t>(port.write(numbered_packet(i, 1000)))];
    }
    return outcomes;
  });
  EXPECT_GT(outcomes[0], 0u);  // written at once
  EXPECT_GT(outcomes[1], 0u);  // queued
  EXPECT_EQ(outcomes[2], 0u);  // none dropped
  EXPECT_TRUE(io_.call([&port] { return port.congested(); }));
  io_.call([this, &port] {
    asio::co_spawn(io_.io(), writer(&port), asio::detached);
    return 0;
  });
  for (uint32_t i = 0; i < kPackets; ++i) {
    auto packet = receive(std::chrono::seconds(5));
    ASSERT_TRUE(packet) << "packet " << i << " missing";
    ASSERT_EQ(util::get_u32_be(packet->data()), i);
  }
  EXPECT_TRUE(io_.wait_until([&port] { return port.backlog_bytes() == 0; }));
}

TEST_F(PacketPortTest, DropsBeyondTheBacklogLimit) {
  PacketPort& port = make_port(64 * 1024);
  const auto dropped = io_.call([&port] {
    size_t dropped = 0;
    for (uint32_t i = 0; i < 2000; ++i) {
      if (port.write(numbered_packet(i, 1000)) == PacketPort::WriteOutcome::kDropped) ++dropped;
    }
    EXPECT_LE(port.backlog_bytes(), 64u * 1024);
    return dropped;
  });
  EXPECT_GT(dropped, 0u);
}

TEST_F(PacketPortTest, EndOfTheFdIsReported) {
  PacketPort& port = make_port(1 << 20);
  ::shutdown(kernel_fd_, SHUT_WR);
  auto result = io_.call([&port] {
    PacketBatch batch(8, 2048);
    return port.read_batch(batch);
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, util::Errc::kClosed);
}

}  // namespace
}  // namespace edgevpn::vpn
