// Encoding and decoding of multistream-select messages and the `ls` reply.
#include "p2p/multistream/multistream_message.hpp"

#include "util/varint.hpp"

namespace edgevpn::p2p::multistream {

void encode_message(util::Bytes& out, std::string_view line) {
  util::put_uvarint(out, line.size() + 1);
  util::append(out, util::as_bytes(line));
  out.push_back('\n');
}

util::Bytes encode_message(std::string_view line) {
  util::Bytes out;
  out.reserve(line.size() + 3);
  encode_message(out, line);
  return out;
}

util::Result<DecodedMessage> decode_message(util::ByteView in, size_t max_size) {
  auto prefix = util::read_uvarint(in);
  if (!prefix.ok()) return prefix.error();
  const uint64_t length = prefix->value;
  if (length > max_size) {
    return util::make_error(util::Errc::kTooLarge,
                            "multistream message of " + std::to_string(length) +
                                " bytes is over the limit of " + std::to_string(max_size));
  }
  if (length == 0) return util::make_error(util::Errc::kMalformed, "empty multistream message");
  const size_t total = prefix->length + static_cast<size_t>(length);
  if (in.size() < total)
    return util::make_error(util::Errc::kTruncated, "message needs more bytes");
  const util::ByteView body = in.subspan(prefix->length, static_cast<size_t>(length));
  if (body.back() != '\n') {
    return util::make_error(util::Errc::kMalformed, "multistream message lacks its newline");
  }
  return DecodedMessage{util::to_string(body.first(body.size() - 1)), total};
}

util::Bytes encode_ls_response(const std::vector<std::string>& protocols) {
  util::Bytes body;
  for (const auto& protocol : protocols) encode_message(body, protocol);
  return encode_message(util::as_string_view(body));
}

util::Result<std::vector<std::string>> decode_ls_response(std::string_view line) {
  std::vector<std::string> protocols;
  util::ByteView rest = util::as_bytes(line);
  while (!rest.empty()) {
    auto message = decode_message(rest);
    if (!message.ok()) {
      if (message.error().code == util::Errc::kTruncated) {
        return util::make_error(util::Errc::kMalformed, "ls reply ends inside an entry");
      }
      return message.error();
    }
    protocols.push_back(std::move(message->line));
    rest = rest.subspan(message->consumed);
  }
  return protocols;
}

}  // namespace edgevpn::p2p::multistream
