// Encoding of our service stream header and status byte.
#include "services/service_protocol.hpp"

#include "util/varint.hpp"

namespace edgevpn::services {

std::string_view describe(ServiceStatus status) {
  switch (status) {
    case ServiceStatus::kOk: return "ok";
    case ServiceStatus::kUnknownService: return "the peer does not serve this service";
    case ServiceStatus::kTargetUnreachable: return "the service's address refused the connection";
  }
  return "unknown status";
}

std::optional<ServiceStatus> parse_status(uint8_t byte) {
  if (byte > static_cast<uint8_t>(ServiceStatus::kTargetUnreachable)) return std::nullopt;
  return static_cast<ServiceStatus>(byte);
}

util::Bytes encode_service_header(std::string_view name) {
  util::Bytes out;
  util::put_uvarint(out, name.size());
  out.insert(out.end(), reinterpret_cast<const uint8_t*>(name.data()),
             reinterpret_cast<const uint8_t*>(name.data()) + name.size());
  return out;
}

asio::awaitable<util::Result<std::string>> read_service_header(p2p::host::Stream& stream) {
  util::Bytes prefix;
  for (;;) {
    uint8_t byte = 0;
    auto status = co_await stream.read_exact(std::span<uint8_t>(&byte, 1));
    if (!status) co_return status.error();
    prefix.push_back(byte);
    auto varint = util::read_uvarint(prefix);
    if (varint.ok()) {
      if (varint->value == 0 || varint->value > kMaxServiceNameLength) {
        co_return util::make_error(util::Errc::kProtocol, "bad service name length");
      }
      std::string name(varint->value, '\0');
      auto read = co_await stream.read_exact(
          std::span<uint8_t>(reinterpret_cast<uint8_t*>(name.data()), name.size()));
      if (!read) co_return read.error();
      co_return name;
    }
    if (varint.error().code != util::Errc::kTruncated || prefix.size() >= 3) {
      co_return util::make_error(util::Errc::kProtocol, "bad service name length");
    }
  }
}

}  // namespace edgevpn::services
