// Pubsub stream framing: unsigned-varint length-prefixed protobuf RPCs, with a per-peer decoder
// that accepts arbitrary chunks and enforces the maximum RPC size.
#pragma once

#include <cstddef>
#include <vector>

// protobuf_generate currently writes generated headers flat into the generated/ folder.
#if __has_include("p2p/pubsub/rpc.pb.h")
#include "p2p/pubsub/rpc.pb.h"
#else
#include "rpc.pb.h"
#endif
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::pubsub {

// Room for framing, topic, from, seqno, signature, key and control next to the largest payload.
inline constexpr size_t kRpcOverhead = 64 * 1024;

// Encodes one RPC as a length-prefixed frame.
util::Bytes encode_frame(const pb::RPC& rpc);

// Reassembles RPC frames from a byte stream. After an error the decoder stays failed: the
// caller is expected to drop the stream.
class RpcDecoder {
 public:
  explicit RpcDecoder(size_t max_rpc_size) : max_rpc_size_(max_rpc_size) {}

  // Appends `chunk` and moves every complete RPC to `out`. kTooLarge when a frame announces more
  // than max_rpc_size bytes, kMalformed when the prefix or the protobuf does not parse.
  util::Status feed(util::ByteView chunk, std::vector<pb::RPC>& out);

  size_t buffered() const { return buffer_.size() - consumed_; }
  size_t max_rpc_size() const { return max_rpc_size_; }

 private:
  size_t max_rpc_size_;
  util::Bytes buffer_;
  size_t consumed_ = 0;
  bool failed_ = false;
};

}  // namespace edgevpn::p2p::pubsub
