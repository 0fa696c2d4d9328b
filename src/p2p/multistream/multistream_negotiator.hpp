// Sans-I/O multistream-select 1.0 negotiation for one stream or connection, as dialer (proposes
// protocols in order) or listener (echoes a supported one, answers `na` and `ls`).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "p2p/multistream/multistream_message.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace edgevpn::p2p::multistream {

// Proposals (listener side: `na` and `ls` answers) a peer may cost us before we give up.
inline constexpr size_t kMaxAttempts = 32;

class Negotiator {
 public:
  enum class Role { kDialer, kListener };

  // Dialer proposing `protocols` by preference. With `lazy` (only for a single protocol) the
  // protocol counts as selected at once, so the caller may send data before the listener's echo;
  // the header and echo are still checked when they arrive, and an `na` fails the negotiation.
  static Negotiator dialer(std::vector<std::string> protocols, bool lazy = false);
  // Listener supporting exactly `protocols` (also the `ls` answer).
  static Negotiator listener(std::vector<std::string> protocols);
  // Listener deciding with `supports`; `listed` is what `ls` answers.
  static Negotiator listener(std::vector<std::string> listed,
                             std::function<bool(std::string_view)> supports);

  // Feeds bytes from the peer. Errors are final: kNotFound "no protocol in common" when the
  // listener refused every proposal, kProtocol / kMalformed / kTooLarge / kUnsupported otherwise.
  // Input after the last negotiation message is kept for take_leftover().
  util::Status feed(util::ByteView in);
  // Bytes to send to the peer (the first call returns the opening messages).
  util::Bytes take_output();

  // True once negotiation completed on the wire (for a lazy dialer: once the echo arrived).
  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kFailed; }
  // The agreed protocol: set when done(), and from the start for a lazy dialer.
  const std::optional<std::string>& selected() const { return selected_; }
  // Peer bytes that followed the negotiation (application data); empties the buffer.
  util::Bytes take_leftover();
  Role role() const { return role_; }

 private:
  enum class State { kAwaitHeader, kAwaitAnswer, kDone, kFailed };

  Negotiator(Role role, std::vector<std::string> protocols,
             std::function<bool(std::string_view)> supports, bool lazy);
  util::Status handle_message(const std::string& line);
  util::Status handle_dialer_answer(const std::string& line);
  util::Status handle_listener_proposal(const std::string& line);
  util::Status fail(util::Error error);

  Role role_;
  State state_ = State::kAwaitHeader;
  std::vector<std::string> protocols_;
  std::function<bool(std::string_view)> supports_;
  bool lazy_ = false;
  size_t proposal_ = 0;  // dialer: index of the protocol on the table
  size_t attempts_ = 0;  // listener: `na` / `ls` answers sent
  std::optional<std::string> selected_;
  util::Bytes input_;
  util::Bytes output_;
  std::optional<util::Error> error_;
};

}  // namespace edgevpn::p2p::multistream
