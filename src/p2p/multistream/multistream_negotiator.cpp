// multistream-select 1.0 negotiator: message loop for both roles.
#include "p2p/multistream/multistream_negotiator.hpp"

#include <algorithm>
#include <utility>

namespace edgevpn::p2p::multistream {

Negotiator Negotiator::dialer(std::vector<std::string> protocols, bool lazy) {
  return {Role::kDialer, std::move(protocols), nullptr, lazy};
}

Negotiator Negotiator::listener(std::vector<std::string> protocols) {
  return {Role::kListener, std::move(protocols), nullptr, false};
}

Negotiator Negotiator::listener(std::vector<std::string> listed,
                                std::function<bool(std::string_view)> supports) {
  return {Role::kListener, std::move(listed), std::move(supports), false};
}

Negotiator::Negotiator(Role role, std::vector<std::string> protocols,
                       std::function<bool(std::string_view)> supports, bool lazy)
    : role_(role), protocols_(std::move(protocols)), supports_(std::move(supports)) {
  encode_message(output_, kProtocolId);
  if (role_ == Role::kDialer) {
    if (protocols_.empty()) {
      state_ = State::kFailed;
      error_ = util::make_error(util::Errc::kInvalidArgument, "dialer has no protocol to propose");
      output_.clear();
      return;
    }
    // Pipelined with the header, as go-multistream and js-libp2p do.
    encode_message(output_, protocols_.front());
    lazy_ = lazy && protocols_.size() == 1;
    if (lazy_) selected_ = protocols_.front();
  }
}

util::Status Negotiator::fail(util::Error error) {
  state_ = State::kFailed;
  error_ = error;
  input_.clear();
  return error;
}

util::Status Negotiator::feed(util::ByteView in) {
  if (state_ == State::kFailed) return *error_;
  util::append(input_, in);
  if (state_ == State::kDone) return {};
  size_t offset = 0;
  while (state_ != State::kDone) {
    auto message = decode_message(util::ByteView(input_).subspan(offset));
    if (!message.ok()) {
      if (message.error().code == util::Errc::kTruncated) break;
      return fail(message.error());
    }
    offset += message->consumed;
    if (auto status = handle_message(message->line); !status.ok()) return fail(status.error());
  }
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(offset));
  return {};
}

util::Status Negotiator::handle_message(const std::string& line) {
  if (state_ == State::kAwaitHeader) {
    if (line != kProtocolId) {
      return util::make_error(util::Errc::kUnsupported,
                              "peer does not speak " + std::string(kProtocolId));
    }
    state_ = State::kAwaitAnswer;
    return {};
  }
  return role_ == Role::kDialer ? handle_dialer_answer(line) : handle_listener_proposal(line);
}

util::Status Negotiator::handle_dialer_answer(const std::string& line) {
  const std::string& proposed = protocols_[proposal_];
  if (line == proposed) {
    selected_ = proposed;
    state_ = State::kDone;
    return {};
  }
  if (line != kNotAvailable) {
    return util::make_error(util::Errc::kProtocol, "unexpected answer to proposal of " + proposed);
  }
  if (lazy_ || ++proposal_ == protocols_.size()) {
    selected_.reset();
    return util::make_error(util::Errc::kNotFound, "no protocol in common");
  }
  encode_message(output_, protocols_[proposal_]);
  return {};
}

util::Status Negotiator::handle_listener_proposal(const std::string& line) {
  const bool supported =
      supports_ ? supports_(line)
                : std::find(protocols_.begin(), protocols_.end(), line) != protocols_.end();
  if (line != kList && line != kProtocolId && supported) {
    encode_message(output_, line);
    selected_ = line;
    state_ = State::kDone;
    return {};
  }
  if (++attempts_ > kMaxAttempts) {
    return util::make_error(util::Errc::kProtocol, "peer made too many proposals");
  }
  if (line == kList) {
    util::append(output_, encode_ls_response(protocols_));
  } else {
    encode_message(output_, kNotAvailable);
  }
  return {};
}

util::Bytes Negotiator::take_output() {
  return std::exchange(output_, {});
}

util::Bytes Negotiator::take_leftover() {
  if (state_ != State::kDone) return {};
  return std::exchange(input_, {});
}

}  // namespace edgevpn::p2p::multistream
