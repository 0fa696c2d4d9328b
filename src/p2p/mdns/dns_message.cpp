// DNS wire format: encoder with name compression, bounded decoder that only follows backward
// compression pointers.
#include "p2p/mdns/dns_message.hpp"

#include <map>

namespace edgevpn::p2p::mdns {
namespace {

constexpr size_t kMaxLabelLength = 63;
constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxCompressionOffset = 0x3fff;

util::Error malformed(std::string message) {
  return util::make_error(util::Errc::kMalformed, std::move(message));
}
util::Error truncated() {
  return util::make_error(util::Errc::kTruncated, "DNS packet ends early");
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Splits dotted text into raw labels, undoing '\' escapes.
util::Result<std::vector<std::string>> split_labels(std::string_view name) {
  std::vector<std::string> labels;
  if (name.empty() || name == ".") return labels;
  std::string current;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' && i + 1 < name.size()) {
      current.push_back(name[++i]);
    } else if (c == '.') {
      if (current.empty()) return util::make_error(util::Errc::kInvalidArgument, "empty DNS label");
      labels.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) labels.push_back(std::move(current));
  size_t wire = 1;
  for (const auto& label : labels) {
    if (label.size() > kMaxLabelLength) {
      return util::make_error(util::Errc::kInvalidArgument, "DNS label over 63 bytes");
    }
    wire += label.size() + 1;
  }
  if (wire > kMaxNameLength)
    return util::make_error(util::Errc::kInvalidArgument, "DNS name over 255 bytes");
  return labels;
}

void append_escaped(std::string& out, std::string_view label) {
  if (!out.empty()) out.push_back('.');
  for (char c : label) {
    if (c == '.' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
}

class Writer {
 public:
  util::Status name(std::string_view text) {
    EDGEVPN_TRY_ASSIGN(labels, split_labels(text));
    for (size_t i = 0; i < labels.size(); ++i) {
      std::string suffix;
      for (size_t j = i; j < labels.size(); ++j) append_escaped(suffix, labels[j]);
      auto it = offsets_.find(suffix);
      if (it != offsets_.end()) {
        util::put_u16_be(out, static_cast<uint16_t>(0xc000 | it->second));
        return {};
      }
      if (out.size() <= kMaxCompressionOffset) offsets_.emplace(std::move(suffix), out.size());
      out.push_back(static_cast<uint8_t>(labels[i].size()));
      util::append(out, util::as_bytes(labels[i]));
    }
    out.push_back(0);
    return {};
  }

  util::Status record(const ResourceRecord& rr) {
    EDGEVPN_TRY(name(rr.name));
    util::put_u16_be(out, rr.type);
    util::put_u16_be(
        out, static_cast<uint16_t>((rr.klass & 0x7fff) | (rr.cache_flush ? kClassTopBit : 0)));
    util::put_u32_be(out, rr.ttl);
    const size_t length_at = out.size();
    util::put_u16_be(out, 0);
    switch (rr.type) {
      case record_type::kA:
      case record_type::kAaaa:
        if (rr.address.size() != (rr.type == record_type::kA ? 4u : 16u)) {
          return util::make_error(util::Errc::kInvalidArgument, "A/AAAA address of the wrong size");
        }
        util::append(out, rr.address);
        break;
      case record_type::kPtr: EDGEVPN_TRY(name(rr.ptr)); break;
      case record_type::kSrv:
        util::put_u16_be(out, rr.srv.priority);
        util::put_u16_be(out, rr.srv.weight);
        util::put_u16_be(out, rr.srv.port);
        EDGEVPN_TRY(name(rr.srv.target));
        break;
      case record_type::kTxt:
        for (const auto& text : rr.txt) {
          if (text.size() > 255) {
            return util::make_error(util::Errc::kInvalidArgument, "TXT string over 255 bytes");
          }
          out.push_back(static_cast<uint8_t>(text.size()));
          util::append(out, util::as_bytes(text));
        }
        break;
      default: util::append(out, rr.raw);
    }
    const size_t length = out.size() - length_at - 2;
    if (length > 0xffff)
      return util::make_error(util::Errc::kInvalidArgument, "record data too long");
    out[length_at] = static_cast<uint8_t>(length >> 8);
    out[length_at + 1] = static_cast<uint8_t>(length);
    return {};
  }

  util::Bytes out;

 private:
  std::map<std::string, size_t> offsets_;  // exact (case-preserving) suffix -> offset
};

class Reader {
 public:
  explicit Reader(util::ByteView packet) : packet_(packet) {}

  // Reads a possibly compressed name at `pos`; `pos` moves past its in-place bytes. Every pointer
  // must point before the label sequence that contains it, so following them always terminates.
  util::Result<std::string> name(size_t& pos) const {
    std::string out;
    size_t wire_length = 1;
    size_t cursor = pos;
    size_t segment_start = pos;
    bool jumped = false;
    while (true) {
      if (cursor >= packet_.size()) return truncated();
      const uint8_t length = packet_[cursor];
      if ((length & 0xc0) == 0xc0) {
        if (cursor + 1 >= packet_.size()) return truncated();
        const size_t target = static_cast<size_t>(length & 0x3f) << 8 | packet_[cursor + 1];
        if (!jumped) pos = cursor + 2;
        jumped = true;
        if (target >= segment_start)
          return malformed("DNS compression pointer does not point backwards");
        segment_start = target;
        cursor = target;
        continue;
      }
      if ((length & 0xc0) != 0) return malformed("unsupported DNS label type");
      if (length == 0) {
        if (!jumped) pos = cursor + 1;
        return out;
      }
      if (cursor + 1 + length > packet_.size()) return truncated();
      wire_length += length + 1u;
      if (wire_length > kMaxNameLength) return malformed("DNS name over 255 bytes");
      append_escaped(out, util::as_string_view(packet_.subspan(cursor + 1, length)));
      cursor += 1 + length;
    }
  }

  util::Result<uint16_t> u16(size_t& pos) const {
    if (pos + 2 > packet_.size()) return truncated();
    const uint16_t value = util::get_u16_be(packet_.data() + pos);
    pos += 2;
    return value;
  }

  util::Result<ResourceRecord> record(size_t& pos) const {
    ResourceRecord rr;
    EDGEVPN_TRY_ASSIGN(owner, name(pos));
    rr.name = std::move(owner);
    if (pos + 10 > packet_.size()) return truncated();
    const uint8_t* p = packet_.data() + pos;
    rr.type = util::get_u16_be(p);
    const uint16_t klass = util::get_u16_be(p + 2);
    rr.klass = klass & 0x7fff;
    rr.cache_flush = (klass & kClassTopBit) != 0;
    rr.ttl = util::get_u32_be(p + 4);
    const size_t length = util::get_u16_be(p + 8);
    pos += 10;
    if (pos + length > packet_.size()) return truncated();
    const size_t end = pos + length;
    const util::ByteView data = packet_.subspan(pos, length);
    switch (rr.type) {
      case record_type::kA:
      case record_type::kAaaa:
        if (length != (rr.type == record_type::kA ? 4u : 16u))
          return malformed("bad A/AAAA length");
        rr.address.assign(data.begin(), data.end());
        break;
      case record_type::kPtr: {
        size_t at = pos;
        EDGEVPN_TRY_ASSIGN(target, name(at));
        if (at != end) return malformed("PTR data length mismatch");
        rr.ptr = std::move(target);
        break;
      }
      case record_type::kSrv: {
        if (length < 7) return malformed("SRV data too short");
        rr.srv.priority = util::get_u16_be(data.data());
        rr.srv.weight = util::get_u16_be(data.data() + 2);
        rr.srv.port = util::get_u16_be(data.data() + 4);
        size_t at = pos + 6;
        EDGEVPN_TRY_ASSIGN(target, name(at));
        if (at != end) return malformed("SRV data length mismatch");
        rr.srv.target = std::move(target);
        break;
      }
      case record_type::kTxt: {
        size_t at = 0;
        while (at < data.size()) {
          const size_t text_length = data[at];
          if (at + 1 + text_length > data.size())
            return malformed("TXT string overruns its record");
          rr.txt.emplace_back(util::as_string_view(data.subspan(at + 1, text_length)));
          at += 1 + text_length;
        }
        break;
      }
      default: rr.raw.assign(data.begin(), data.end());
    }
    pos = end;
    return rr;
  }

 private:
  util::ByteView packet_;
};

}  // namespace

util::Result<util::Bytes> encode(const DnsMessage& message) {
  const size_t counts[] = {message.questions.size(), message.answers.size(),
                           message.authorities.size(), message.additionals.size()};
  Writer writer;
  util::put_u16_be(writer.out, message.id);
  util::put_u16_be(writer.out, message.flags);
  for (size_t count : counts) {
    if (count > 0xffff)
      return util::make_error(util::Errc::kInvalidArgument, "too many DNS records");
    util::put_u16_be(writer.out, static_cast<uint16_t>(count));
  }
  for (const auto& question : message.questions) {
    EDGEVPN_TRY(writer.name(question.name));
    util::put_u16_be(writer.out, question.type);
    util::put_u16_be(writer.out,
                     static_cast<uint16_t>((question.klass & 0x7fff) |
                                           (question.unicast_response ? kClassTopBit : 0)));
  }
  for (const auto* section : {&message.answers, &message.authorities, &message.additionals}) {
    for (const auto& rr : *section) EDGEVPN_TRY(writer.record(rr));
  }
  return std::move(writer.out);
}

util::Result<DnsMessage> decode(util::ByteView packet) {
  if (packet.size() > 0xffff)
    return util::make_error(util::Errc::kTooLarge, "DNS packet over 64 KiB");
  if (packet.size() < kHeaderSize) return truncated();
  DnsMessage message;
  const uint8_t* p = packet.data();
  message.id = util::get_u16_be(p);
  message.flags = util::get_u16_be(p + 2);
  const uint16_t question_count = util::get_u16_be(p + 4);
  const uint16_t record_counts[] = {util::get_u16_be(p + 6), util::get_u16_be(p + 8),
                                    util::get_u16_be(p + 10)};
  Reader reader(packet);
  size_t pos = kHeaderSize;
  for (uint16_t i = 0; i < question_count; ++i) {
    Question question;
    EDGEVPN_TRY_ASSIGN(name, reader.name(pos));
    question.name = std::move(name);
    EDGEVPN_TRY_ASSIGN(type, reader.u16(pos));
    EDGEVPN_TRY_ASSIGN(klass, reader.u16(pos));
    question.type = type;
    question.klass = klass & 0x7fff;
    question.unicast_response = (klass & kClassTopBit) != 0;
    message.questions.push_back(std::move(question));
  }
  std::vector<ResourceRecord>* sections[] = {&message.answers, &message.authorities,
                                             &message.additionals};
  for (size_t s = 0; s < 3; ++s) {
    for (uint16_t i = 0; i < record_counts[s]; ++i) {
      EDGEVPN_TRY_ASSIGN(rr, reader.record(pos));
      sections[s]->push_back(std::move(rr));
    }
  }
  return message;
}

bool names_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool name_has_suffix(std::string_view name, std::string_view suffix) {
  if (names_equal(name, suffix)) return true;
  if (name.size() <= suffix.size() + 1) return false;
  const size_t dot = name.size() - suffix.size() - 1;
  return name[dot] == '.' && (dot == 0 || name[dot - 1] != '\\') &&
         names_equal(name.substr(dot + 1), suffix);
}

}  // namespace edgevpn::p2p::mdns
