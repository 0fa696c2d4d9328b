// Linux TUN device: open with IFF_TUN|IFF_NO_PI, probe features, configure through netlink,
// writes on a non-blocking fd, clean teardown.
#include "vpn/tun/tun_device.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/log/log.hpp"

namespace edgevpn::vpn {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

util::Error open_error(const std::string& path, int error) {
  if (error == ENOENT || error == ENODEV || error == ENXIO) {
    return util::make_error(util::Errc::kUnsupported,
                            "no TUN device at " + path +
                                ": load the tun kernel module or give the container /dev/net/tun");
  }
  if (error == EACCES || error == EPERM) {
    return util::make_error(util::Errc::kIo, "permission denied opening " + path +
                                                 ": run as root or grant CAP_NET_ADMIN");
  }
  return util::make_error(util::Errc::kIo, "opening " + path + ": " + errno_text(error));
}

util::Error setiff_error(const std::string& name, int error) {
  switch (error) {
    case EPERM:
    case EACCES:
      return util::make_error(util::Errc::kIo,
                              "creating TUN " + name + ": permission denied (needs CAP_NET_ADMIN)");
    case EBUSY:
      return util::make_error(util::Errc::kIo,
                              "TUN " + name + " is busy (opened by another process)");
    case EINVAL:
      return util::make_error(util::Errc::kInvalidArgument,
                              "cannot use " + name + " as a TUN (exists with other type or flags)");
    default:
      return util::make_error(util::Errc::kIo, "creating TUN " + name + ": " + errno_text(error));
  }
}

}  // namespace

util::Result<TunDevice> TunDevice::open(const TunOptions& options) {
  if (options.name.size() > kMaxInterfaceName) {
    return util::make_error(util::Errc::kInvalidArgument,
                            "interface name '" + options.name + "' is longer than 15 characters");
  }
  InterfaceSettings settings{options.addresses, options.mtu, true};
  if (options.bootstrap_iface) EDGEVPN_TRY(validate_interface_settings(settings));

  TunDevice device;
  device.fd_ = ::open(options.device_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (device.fd_ < 0) return open_error(options.device_path, errno);

  unsigned int supported = 0;
  if (ioctl(device.fd_, TUNGETFEATURES, &supported) == 0) {
    device.features_.multi_queue = (supported & IFF_MULTI_QUEUE) != 0;
    device.features_.vnet_hdr = (supported & IFF_VNET_HDR) != 0;
  }
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (options.request_multi_queue && device.features_.multi_queue) {
    request.ifr_flags |= IFF_MULTI_QUEUE;
    device.multi_queue_ = true;
  }
  std::memcpy(request.ifr_name, options.name.data(), options.name.size());
  if (ioctl(device.fd_, TUNSETIFF, &request) < 0) return setiff_error(options.name, errno);
  device.name_.assign(request.ifr_name, strnlen(request.ifr_name, IFNAMSIZ));

  if (options.bootstrap_iface) {
    EDGEVPN_TRY_ASSIGN(configuration, InterfaceConfiguration::apply(device.name_, settings));
    device.configuration_.emplace(std::move(configuration));
  }
  log::get("vpn")->info("TUN {} open (multi_queue supported={} used={}, vnet_hdr supported={})",
                        device.name_, device.features_.multi_queue, device.multi_queue_,
                        device.features_.vnet_hdr);
  return device;
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : fd_(other.fd_),
      name_(std::move(other.name_)),
      features_(other.features_),
      multi_queue_(other.multi_queue_),
      configuration_(std::move(other.configuration_)) {
  other.fd_ = -1;
  other.configuration_.reset();
}

TunDevice& TunDevice::operator=(TunDevice&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    name_ = std::move(other.name_);
    features_ = other.features_;
    multi_queue_ = other.multi_queue_;
    configuration_ = std::move(other.configuration_);
    other.fd_ = -1;
    other.configuration_.reset();
  }
  return *this;
}

TunDevice::~TunDevice() {
  close();
}

void TunDevice::close() {
  configuration_.reset();  // addresses go before the interface does
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

util::Result<size_t> TunDevice::write_batch(std::span<const util::ByteView> packets) {
  size_t consumed = 0;
  while (consumed < packets.size()) {
    const auto packet = packets[consumed];
    if (::write(fd_, packet.data(), packet.size()) >= 0 || errno == EINVAL) {
      ++consumed;  // EINVAL: the kernel rejects this one packet; skip it rather than stall the
                   // batch
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (consumed > 0) break;  // report the error on the next call
    return util::make_error(util::Errc::kIo, "writing TUN " + name_ + ": " + errno_text(errno));
  }
  return consumed;
}

util::Status TunDevice::write(util::ByteView packet) {
  if (::write(fd_, packet.data(), packet.size()) < 0) {
    return util::make_error(util::Errc::kIo, "writing TUN " + name_ + ": " + errno_text(errno));
  }
  return {};
}

util::Status TunDevice::wait_readable(std::chrono::milliseconds timeout) const {
  pollfd entry{fd_, POLLIN, 0};
  const int ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
  if (ready > 0) return {};
  if (ready == 0) return util::make_error(util::Errc::kTimeout, "TUN not readable in time");
  return util::make_error(util::Errc::kIo, "poll on TUN: " + errno_text(errno));
}

}  // namespace edgevpn::vpn
