// Ownership mode parsing, the default bucket registry and heartbeat liveness.
#include "ledger/ownership.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ledger/go_json.hpp"

namespace edgevpn::ledger {
namespace {

using util::Errc;
using util::make_error;


std::string_view trim(std::string_view text) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// Parses exactly `count` decimal digits at text[pos].
bool digits(std::string_view text, size_t pos, size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

}  // namespace

util::Result<OwnershipMode> parse_ownership_mode(std::string_view text) {
  std::string lower(trim(text));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.empty() || lower == "off") return OwnershipMode::kOff;
  if (lower == "observe" || lower == "log" || lower == "log-only") return OwnershipMode::kObserve;
  if (lower == "enforce" || lower == "on") return OwnershipMode::kEnforce;
  return make_error(Errc::kInvalidArgument,
                    "invalid ownership mode \"" + std::string(text) +
                        "\": must be one of \"off\", \"observe\" (aliases \"log\", \"log-only\") "
                        "or \"enforce\" (alias \"on\")");
}

std::string_view to_string(OwnershipMode mode) {
  switch (mode) {
    case OwnershipMode::kObserve: return "observe";
    case OwnershipMode::kEnforce: return "enforce";
    case OwnershipMode::kOff: break;
  }
  return "off";
}

std::string peer_id_field(std::string_view value_json) {
  auto json = nlohmann::json::parse(value_json, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return {};
  std::string peer_id;
  for (const auto& [name, value] : json.items()) {
    if (equal_fold(name, "PeerID") && value.is_string()) peer_id = value.get<std::string>();
  }
  return peer_id;
}

std::string BucketPolicy::owner_of(std::string_view key, std::string_view value_json) const {
  switch (owner_rule) {
    case OwnerRule::kKey: return std::string(key);
    case OwnerRule::kValuePeerId: return peer_id_field(value_json);
    case OwnerRule::kFirstClaim: break;
  }
  return {};
}

Registry Registry::defaults(std::chrono::seconds ttl) {
  Registry registry;
  BucketPolicy by_value{true, OwnerRule::kValuePeerId, Expiry::kLiveness, {}, true};
  BucketPolicy by_key{true, OwnerRule::kKey, Expiry::kLiveness, {}, false};
  registry.set("machines", by_value);
  registry.set("services", by_value);
  registry.set("files", by_value);
  registry.set("users", by_key);
  registry.set("egress", by_key);
  registry.set("healthcheck", BucketPolicy{true, OwnerRule::kKey, Expiry::kAbsolute, ttl, false});
  registry.set("dns", BucketPolicy{true, OwnerRule::kFirstClaim, Expiry::kLiveness, {}, true});
  return registry;
}

const BucketPolicy& Registry::policy(std::string_view bucket) const {
  static const BucketPolicy kOpen{};
  auto found = policies_.find(bucket);
  return found == policies_.end() ? kOpen : found->second;
}

void Registry::set(std::string bucket, BucketPolicy policy) {
  policies_[std::move(bucket)] = policy;
}

util::Result<util::WallTime> parse_rfc3339(std::string_view text) {
  auto bad = [&] {
    return make_error(Errc::kMalformed, "not an RFC3339 time: \"" + std::string(text) + "\"");
  };
  int year, month, day, hour, minute, second;
  if (!digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) || text[10] != 'T' ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second)) {
    return bad();
  }
  using namespace std::chrono;
  year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                      std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return bad();
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      nanos += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int offset_seconds = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int offset_hours, offset_minutes;
    if (!digits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
      return bad();
    }
    offset_seconds = (offset_hours * 60 + offset_minutes) * 60 * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  auto time =
      sys_days(date) + hours(hour) + minutes(minute) + seconds(second) - seconds(offset_seconds);
  // Clamp to what a nanosecond system_clock holds (years ~1678..2261) instead of overflowing.
  int64_t unix = time.time_since_epoch().count();
  constexpr int64_t kLimit = INT64_MAX / 1000000000 - 1;
  if (unix >= kLimit) return util::WallTime::max();
  if (unix <= -kLimit) return util::WallTime::min();
  return util::WallTime(
      duration_cast<system_clock::duration>(time.time_since_epoch() + nanoseconds(nanos)));
}

std::string format_rfc3339_utc(util::WallTime time) {
  using namespace std::chrono;
  auto secs = floor<seconds>(time);
  auto days = floor<std::chrono::days>(secs);
  year_month_day date{days};
  hh_mm_ss<seconds> clock_time{secs - days};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()),
                static_cast<long long>(clock_time.hours().count()),
                static_cast<long long>(clock_time.minutes().count()),
                static_cast<long long>(clock_time.seconds().count()));
  return buffer;
}

std::optional<util::WallTime> heartbeat_time(std::string_view value_json) {
  auto json = nlohmann::json::parse(value_json, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_string()) return std::nullopt;
  auto parsed = parse_rfc3339(json.get<std::string>());
  if (!parsed) return std::nullopt;
  return *parsed;
}

bool is_live(const HeartbeatValues& heartbeats, std::string_view owner, std::chrono::seconds ttl,
             util::WallTime now) {
  auto found = heartbeats.find(owner);
  if (found == heartbeats.end()) return false;
  auto time = heartbeat_time(found->second);
  return time && *time > now - ttl;  // time + ttl > now, without overflowing a far-future time
}

}  // namespace edgevpn::ledger
