// Names of the shared error codes, for messages and logs.
#include "util/result.hpp"

namespace edgevpn::util {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument: return "invalid argument";
    case Errc::kMalformed: return "malformed";
    case Errc::kTruncated: return "truncated";
    case Errc::kTooLarge: return "too large";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kCrypto: return "crypto";
    case Errc::kProtocol: return "protocol violation";
    case Errc::kNotFound: return "not found";
    case Errc::kClosed: return "closed";
    case Errc::kTimeout: return "timeout";
    case Errc::kIo: return "i/o";
  }
  return "error";
}

}  // namespace edgevpn::util
