// multistream-select 1.0 wire messages: uvarint length, then a UTF-8 line ending in '\n' (the
// newline counts in the length). Also the `ls` reply, a message of nested messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::multistream {

inline constexpr std::string_view kProtocolId = "/multistream/1.0.0";
inline constexpr std::string_view kNotAvailable = "na";
inline constexpr std::string_view kList = "ls";
// Largest message (length prefix value, newline included) we accept from a peer.
inline constexpr size_t kMaxMessageSize = 1024;

struct DecodedMessage {
  std::string line;     // without the trailing '\n'
  size_t consumed = 0;  // bytes of input the message took, prefix included
};

// Appends uvarint(len(line) + 1) || line || '\n' to `out`.
void encode_message(util::Bytes& out, std::string_view line);
util::Bytes encode_message(std::string_view line);

// Decodes the first message of `in`. kTruncated when more bytes are needed, kTooLarge over
// `max_size`, kMalformed for a bad prefix or a missing newline.
util::Result<DecodedMessage> decode_message(util::ByteView in, size_t max_size = kMaxMessageSize);

// The reply to `ls`: one message whose body is the protocols, each as a message of its own.
util::Bytes encode_ls_response(const std::vector<std::string>& protocols);
// Parses the line of an `ls` reply (as returned by decode_message) into protocol names.
util::Result<std::vector<std::string>> decode_ls_response(std::string_view line);

}  // namespace edgevpn::p2p::multistream
