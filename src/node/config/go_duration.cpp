// Go duration parsing and formatting (time.ParseDuration / Duration.String).
#include "node/config/go_duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <utility>

namespace edgevpn::node {
namespace {

struct Unit {
  std::string_view name;
  int64_t nanoseconds;
};
// Longest names first so "ms" is not read as "m".
constexpr Unit kUnits[] = {{"ns", 1},           {"us", 1000},          {"\xC2\xB5s", 1000},
                           {"\xCE\xBCs", 1000}, {"ms", 1000000},       {"s", 1000000000},
                           {"m", 60000000000},  {"h", 3600000000000}};

util::Error bad(std::string_view text) {
  return util::make_error(util::Errc::kInvalidArgument,
                          "invalid duration \"" + std::string(text) + "\"");
}

}  // namespace

util::Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return std::chrono::nanoseconds(0);
  if (rest.empty()) return bad(text);
  long double total = 0;
  while (!rest.empty()) {
    size_t digits = 0;
    bool seen_digit = false;
    while (digits < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[digits])) ||
                                    (rest[digits] == '.'))) {
      seen_digit |= rest[digits] != '.';
      ++digits;
    }
    if (!seen_digit) return bad(text);
    std::string number(rest.substr(0, digits));
    char* end = nullptr;
    long double value = std::strtold(number.c_str(), &end);
    if (end != number.c_str() + number.size()) return bad(text);
    rest.remove_prefix(digits);
    const Unit* unit = nullptr;
    for (const auto& candidate : kUnits) {
      if (rest.substr(0, candidate.name.size()) == candidate.name &&
          (unit == nullptr || candidate.name.size() > unit->name.size())) {
        unit = &candidate;
      }
    }
    if (unit == nullptr) return bad(text);  // Go requires a unit on every number but "0"
    rest.remove_prefix(unit->name.size());
    total += value * static_cast<long double>(unit->nanoseconds);
    if (total > static_cast<long double>(INT64_MAX)) return bad(text);
  }
  auto nanos = static_cast<int64_t>(std::llround(total));
  return std::chrono::nanoseconds(negative ? -nanos : nanos);
}

std::string format_go_duration(std::chrono::nanoseconds duration) {
  int64_t nanos = duration.count();
  if (nanos == 0) return "0s";
  std::string sign = nanos < 0 ? "-" : "";
  uint64_t magnitude = nanos < 0 ? -static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  auto fraction = [](uint64_t value, uint64_t scale) {
    // value / scale with trailing zeros of the fraction dropped, like Go's fmtFrac.
    std::string out = std::to_string(value / scale);
    uint64_t remainder = value % scale;
    if (remainder != 0) {
      std::string digits = std::to_string(remainder + scale).substr(1);
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      out += "." + digits;
    }
    return out;
  };
  if (magnitude < 1000) return sign + std::to_string(magnitude) + "ns";
  if (magnitude < 1000000) return sign + fraction(magnitude, 1000) + "\xC2\xB5s";
  if (magnitude < 1000000000) return sign + fraction(magnitude, 1000000) + "ms";
  uint64_t seconds = magnitude / 1000000000;
  std::string seconds_text = fraction(magnitude % 60000000000, 1000000000) + "s";
  if (seconds < 60) return sign + seconds_text;
  uint64_t minutes = seconds / 60;
  if (minutes < 60) return sign + std::to_string(minutes) + "m" + seconds_text;
  return sign + std::to_string(minutes / 60) + "h" + std::to_string(minutes % 60) + "m" +
         seconds_text;
}

}  // namespace edgevpn::node
