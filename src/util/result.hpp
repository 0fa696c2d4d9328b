// A small result type: a value or an Error (code + readable message). Used on every path that
// handles input from the network or the user. Our own because clang 14 (fuzz build) lacks
// <expected>.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace edgevpn::util {

enum class Errc {
  kInvalidArgument,  // caller or user gave something unusable
  kMalformed,        // bytes from the network or a file do not parse
  kTruncated,        // input ended early
  kTooLarge,         // over a configured limit
  kUnsupported,      // valid, but not something we implement
  kCrypto,           // signature, MAC or key failure
  kProtocol,         // peer broke the protocol's rules
  kNotFound,
  kClosed,
  kTimeout,
  kIo,
};

const char* errc_name(Errc code);

struct Error {
  Errc code = Errc::kInvalidArgument;
  std::string message;

  std::string describe() const { return std::string(errc_name(code)) + ": " + message; }
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace edgevpn::util

// Propagates the error of a Result-returning expression; `var` receives the value.
#define EDGEVPN_TRY_ASSIGN(var, expr)            \
  auto var##_result_ = (expr);                   \
  if (!var##_result_.ok()) return var##_result_.error(); \
  auto var = std::move(var##_result_).value()

#define EDGEVPN_TRY(expr)                                   \
  do {                                                      \
    auto edgevpn_status_ = (expr);                          \
    if (!edgevpn_status_.ok()) return edgevpn_status_.error(); \
  } while (0)
