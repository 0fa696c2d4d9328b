// The stream protocols of services and files (spec 9). Go EdgeVPN's carry no header: one service
// and one file per process. Ours (between our nodes) opens with the service name so one process
// serves several, and answers with a status byte so the client can say what went wrong:
//   client -> server: uvarint name length (1..kMaxServiceNameLength), name bytes
//   server -> client: one ServiceStatus byte; after kOk, raw bytes both ways as in 0.1.
#pragma once

#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "p2p/host/stream.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::services {

inline constexpr std::string_view kServiceProtocolGo = "/edgevpn/service/0.1";
inline constexpr std::string_view kServiceProtocol = "/edgevpn/service/1.0.0";
inline constexpr std::string_view kFileProtocolGo = "/edgevpn/file/0.1";

inline constexpr size_t kMaxServiceNameLength = 1024;

enum class ServiceStatus : uint8_t {
  kOk = 0,
  kUnknownService = 1,     // this peer serves no service of that name
  kTargetUnreachable = 2,  // the service's host:port refused or did not answer
};

std::string_view describe(ServiceStatus status);
std::optional<ServiceStatus> parse_status(uint8_t byte);

util::Bytes encode_service_header(std::string_view name);

// Reads the header from an inbound stream of our protocol (kProtocol for a bad length,
// kTruncated / kClosed when the stream ends or is reset first).
asio::awaitable<util::Result<std::string>> read_service_header(p2p::host::Stream& stream);

}  // namespace edgevpn::services
