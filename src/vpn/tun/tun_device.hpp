// The Linux TUN device (IFF_TUN|IFF_NO_PI, raw IP packets, like EdgeVPN's water config): open,
// optional netlink setup, a non-blocking fd. Packets are read with read_packets()
// (vpn/tun/packet_reader.hpp), the data plane's one read loop.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/bytes.hpp"
#include "util/result.hpp"
#include "vpn/packet/ip_address.hpp"
#include "vpn/tun/netlink_config.hpp"

namespace edgevpn::vpn {

inline constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

struct TunOptions {
  std::string name = "edgevpn0";  // --interface
  // --bootstrap-iface: set MTU, addresses and link up. When false the interface (e.g. a
  // persistent one an operator prepared) is opened and left exactly as it is.
  bool bootstrap_iface = true;
  std::vector<IpNetwork> addresses;  // --address (IPv4 and/or IPv6)
  int mtu = 1200;                    // --mtu
  bool request_multi_queue = false;  // use IFF_MULTI_QUEUE when the kernel offers it
  std::string device_path = "/dev/net/tun";
};

// What the kernel's TUN driver supports (TUNGETFEATURES); probed, reported, never required.
struct TunFeatures {
  bool multi_queue = false;
  bool vnet_hdr = false;
};

class TunDevice {
 public:
  // Errors: kInvalidArgument (name over 15 chars, bad settings, address in use), kUnsupported
  // (no /dev/net/tun), kIo (permission denied / CAP_NET_ADMIN missing, kernel refusal).
  static util::Result<TunDevice> open(const TunOptions& options);

  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&& other) noexcept;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;
  // Removes the addresses it added, then closes the fd (a non-persistent interface vanishes).
  ~TunDevice();

  // What the destructor does, earlier (idempotent): the interface is gone when it returns.
  void close();

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  const TunFeatures& features() const { return features_; }
  bool multi_queue() const { return multi_queue_; }

  // Writes packets in order; stops early when the kernel queue is full. Returns how many were
  // consumed (written, or skipped because the kernel rejected them as invalid).
  util::Result<size_t> write_batch(std::span<const util::ByteView> packets);
  util::Status write(util::ByteView packet);
  // Waits until readable (kTimeout otherwise); for simple loops and tests.
  util::Status wait_readable(std::chrono::milliseconds timeout) const;

 private:
  TunDevice() = default;

  int fd_ = -1;
  std::string name_;
  TunFeatures features_;
  bool multi_queue_ = false;
  std::optional<InterfaceConfiguration> configuration_;
};

}  // namespace edgevpn::vpn
