// Backoff schedule: cenkalti/backoff v4 NextBackOff arithmetic, on nanosecond durations.
#include "ledger/backoff_ticker.hpp"

#include <algorithm>
#include <utility>

namespace edgevpn::ledger {

std::chrono::nanoseconds backoff_interval(uint32_t attempt, const BackoffSettings& settings) {
  auto current = settings.initial;
  for (uint32_t i = 0; i < attempt; ++i) {
    if (static_cast<double>(current.count()) >=
        static_cast<double>(settings.max.count()) / settings.multiplier) {
      return settings.max;  // stays at max from here on
    }
    current = std::chrono::nanoseconds(
        static_cast<int64_t>(static_cast<double>(current.count()) * settings.multiplier));
  }
  return current;
}

std::chrono::nanoseconds backoff_delay(uint32_t attempt, const BackoffSettings& settings,
                                       double uniform) {
  auto interval = static_cast<double>(backoff_interval(attempt, settings).count());
  double delta = settings.randomization * interval;
  double low = interval - delta;
  double high = interval + delta;
  uniform = std::clamp(uniform, 0.0, 1.0);
  // Go: time.Duration(min + random*(max-min+1)), truncated toward zero.
  return std::chrono::nanoseconds(static_cast<int64_t>(low + uniform * (high - low + 1)));
}

BackoffTicker BackoffTicker::with_max(std::chrono::nanoseconds max,
                                      std::function<double()> uniform) {
  BackoffSettings settings;
  settings.max = max;
  return BackoffTicker(settings, std::move(uniform));
}

std::chrono::nanoseconds BackoffTicker::next_delay() {
  uint64_t tick = ticks_++;
  if (tick == 0) return std::chrono::nanoseconds(0);
  auto attempt = static_cast<uint32_t>(std::min<uint64_t>(tick - 1, 64));
  return backoff_delay(attempt, settings_, uniform_ ? uniform_() : 0.5);
}

}  // namespace edgevpn::ledger
