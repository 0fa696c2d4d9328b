// Pubsub message authenticity (specs pubsub/README.md "Message Signing"): the StrictSign
// signature over "libp2p-pubsub:" || protobuf(Message without signature and key), its checks,
// and the default message ID from || seqno.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/keys.hpp"
#include "crypto/peer_id.hpp"
#include "p2p/pubsub/rpc_codec.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::pubsub {

inline constexpr std::string_view kSignaturePrefix = "libp2p-pubsub:";
inline constexpr size_t kSeqnoSize = 8;

// Message IDs are opaque bytes held in a std::string (hashable, protobuf-friendly).
using MessageId = std::string;

// Default message ID: the author's peer ID bytes followed by the seqno bytes.
MessageId default_message_id(const pb::Message& message);

// The bytes the author signs: the prefix followed by the message encoded without signature/key.
std::string signing_bytes(const pb::Message& message);

// Builds a signed message: from = our peer ID, seqno = 8 bytes big-endian, key set only when the
// peer ID does not inline the public key (never, for Ed25519).
pb::Message make_signed_message(const crypto::PrivateKey& key, const crypto::PeerId& self,
                                std::string_view topic, util::ByteView data, uint64_t seqno);

// StrictSign checks: `from` is a valid peer ID, seqno has 8 bytes, a signature is present, the
// public key (from `key` or inlined in `from`) matches `from` and the signature verifies.
// Returns the author's peer ID.
util::Result<crypto::PeerId> verify_strict_sign(const pb::Message& message);

}  // namespace edgevpn::p2p::pubsub
