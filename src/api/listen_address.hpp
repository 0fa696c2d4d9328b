// The API's listen spec (spec 11): "host:port", ":port" (every interface), "[v6]:port", or
// "unix:///path" (a unix socket; "unix://rel/path" is relative, as Go's TrimPrefix makes it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace edgevpn::api {

struct ListenAddress {
  enum class Kind { kTcp, kUnix };
  Kind kind = Kind::kTcp;
  std::string host;   // kTcp: name or IP literal, without brackets
  uint16_t port = 0;  // kTcp: 0 picks a free port
  std::string path;   // kUnix

  // Back in the spec's form: "127.0.0.1:8080", "[::1]:8080", "unix:///run/edgevpn.sock".
  std::string describe() const;
};

// kInvalidArgument with a message naming what is wrong.
util::Result<ListenAddress> parse_listen_address(std::string_view spec);

}  // namespace edgevpn::api
