// Per-peer merging of outgoing pubsub RPC parts into size-limited frames.
#include "p2p/pubsub/outbox.hpp"

#include "util/varint.hpp"

namespace edgevpn::p2p::pubsub {
namespace {

constexpr uint8_t kTagSubscriptions = (1 << 3) | 2;
constexpr uint8_t kTagPublish = (2 << 3) | 2;
constexpr uint8_t kTagControl = (3 << 3) | 2;

size_t field_size(size_t body) {
  return 1 + util::uvarint_size(body) + body;
}

void append_field(std::string& out, uint8_t tag, const std::string& body) {
  out.push_back(static_cast<char>(tag));
  util::Bytes prefix;
  util::put_uvarint(prefix, body.size());
  out.append(reinterpret_cast<const char*>(prefix.data()), prefix.size());
  out.append(body);
}

}  // namespace

Outbox::Pending& Outbox::room_for(const crypto::PeerId& peer, size_t extra) {
  auto& pending = pending_[peer];
  const size_t control_field = pending.control_size ? field_size(pending.control_size + extra) : 0;
  const size_t now_size = pending.fields.size() + control_field;
  if (now_size > 0 && now_size + extra + 8 > max_rpc_size_) flush(peer, pending);
  return pending;
}

void Outbox::add_subscription(const crypto::PeerId& peer, const std::string& topic,
                              bool subscribe) {
  pb::RPC::SubOpts opts;
  opts.set_subscribe(subscribe);
  opts.set_topicid(topic);
  const std::string body = opts.SerializeAsString();
  append_field(room_for(peer, field_size(body.size())).fields, kTagSubscriptions, body);
}

bool Outbox::add_message(const crypto::PeerId& peer, const std::string& encoded) {
  const size_t size = field_size(encoded.size());
  if (size + util::uvarint_size(size) > max_rpc_size_) return false;
  append_field(room_for(peer, size).fields, kTagPublish, encoded);
  return true;
}

void Outbox::add_graft(const crypto::PeerId& peer, const std::string& topic) {
  pb::ControlGraft graft;
  graft.set_topicid(topic);
  const size_t size = field_size(graft.ByteSizeLong());
  auto* pending = &room_for(peer, size);
  // A GRAFT after a PRUNE of the same topic must reach the peer in a later RPC: receivers handle
  // all GRAFTs of an RPC before its PRUNEs.
  if (has_prune(pending->control, topic)) flush(peer, *pending);
  *pending->control.add_graft() = std::move(graft);
  pending->control_size += size;
}

void Outbox::add_prune(const crypto::PeerId& peer, pb::ControlPrune prune) {
  const size_t size = field_size(prune.ByteSizeLong());
  auto* pending = &room_for(peer, size);
  *pending->control.add_prune() = std::move(prune);
  pending->control_size += size;
}

void Outbox::add_ihave(const crypto::PeerId& peer, const std::string& topic,
                       const std::vector<std::string>& ids) {
  pb::ControlIHave ihave;
  ihave.set_topicid(topic);
  for (const auto& id : ids) ihave.add_messageids(id);
  const size_t size = field_size(ihave.ByteSizeLong());
  auto& pending = room_for(peer, size);
  *pending.control.add_ihave() = std::move(ihave);
  pending.control_size += size;
}

void Outbox::add_iwant(const crypto::PeerId& peer, const std::vector<std::string>& ids) {
  pb::ControlIWant iwant;
  for (const auto& id : ids) iwant.add_messageids(id);
  const size_t size = field_size(iwant.ByteSizeLong());
  auto& pending = room_for(peer, size);
  *pending.control.add_iwant() = std::move(iwant);
  pending.control_size += size;
}

void Outbox::add_idontwant(const crypto::PeerId& peer, const std::vector<std::string>& ids) {
  pb::ControlIDontWant idontwant;
  for (const auto& id : ids) idontwant.add_messageids(id);
  const size_t size = field_size(idontwant.ByteSizeLong());
  auto& pending = room_for(peer, size);
  *pending.control.add_idontwant() = std::move(idontwant);
  pending.control_size += size;
}

void Outbox::drop(const crypto::PeerId& peer) {
  pending_.erase(peer);
  std::erase_if(ready_, [&](const auto& frame) { return frame.first == peer; });
}

void Outbox::flush(const crypto::PeerId& peer, Pending& pending) {
  std::string body = std::move(pending.fields);
  if (pending.control_size > 0)
    append_field(body, kTagControl, pending.control.SerializeAsString());
  util::Bytes frame;
  frame.reserve(body.size() + 10);
  util::put_uvarint(frame, body.size());
  util::append(frame, util::as_bytes(body));
  ready_.emplace_back(peer, std::move(frame));
  pending.fields.clear();
  pending.control.Clear();
  pending.control_size = 0;
}

std::vector<std::pair<crypto::PeerId, util::Bytes>> Outbox::take() {
  for (auto& [peer, pending] : pending_) {
    if (!pending.fields.empty() || pending.control_size > 0) flush(peer, pending);
  }
  pending_.clear();
  return std::exchange(ready_, {});
}

bool Outbox::has_prune(const pb::ControlMessage& control, const std::string& topic) {
  for (const auto& prune : control.prune()) {
    if (prune.topicid() == topic) return true;
  }
  return false;
}

}  // namespace edgevpn::p2p::pubsub
