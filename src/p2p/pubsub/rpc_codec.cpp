// Pubsub stream framing: length-prefixed RPC encoding and the incremental decoder.
#include "p2p/pubsub/rpc_codec.hpp"

#include <string>

#include "util/varint.hpp"

namespace edgevpn::p2p::pubsub {

util::Bytes encode_frame(const pb::RPC& rpc) {
  std::string body = rpc.SerializeAsString();
  util::Bytes frame;
  frame.reserve(body.size() + util::uvarint_size(body.size()));
  util::put_uvarint(frame, body.size());
  util::append(frame, util::as_bytes(body));
  return frame;
}

util::Status RpcDecoder::feed(util::ByteView chunk, std::vector<pb::RPC>& out) {
  if (failed_) return util::make_error(util::Errc::kClosed, "pubsub stream already failed");
  buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
  util::Status status;
  while (consumed_ < buffer_.size()) {
    util::ByteView rest(buffer_.data() + consumed_, buffer_.size() - consumed_);
    auto prefix = util::read_uvarint(rest);
    if (!prefix.ok()) {
      if (prefix.error().code == util::Errc::kTruncated) break;
      status = util::make_error(util::Errc::kMalformed, "bad RPC length prefix");
      break;
    }
    if (prefix->value > max_rpc_size_) {
      status = util::make_error(util::Errc::kTooLarge, "RPC of " + std::to_string(prefix->value) +
                                                           " bytes over limit " +
                                                           std::to_string(max_rpc_size_));
      break;
    }
    const auto length = static_cast<size_t>(prefix->value);
    if (rest.size() - prefix->length < length) break;
    pb::RPC rpc;
    if (!rpc.ParseFromArray(rest.data() + prefix->length, static_cast<int>(length))) {
      status = util::make_error(util::Errc::kMalformed, "RPC protobuf does not parse");
      break;
    }
    out.push_back(std::move(rpc));
    consumed_ += prefix->length + length;
  }
  if (!status.ok()) {
    failed_ = true;
    buffer_.clear();
    consumed_ = 0;
    return status;
  }
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  return {};
}

}  // namespace edgevpn::p2p::pubsub
