// EdgeVPN's jittered "backoff ticker" schedule (spec 6.7; cenkalti/backoff's ExponentialBackOff
// with EdgeVPN's settings) as a pure computation: the I/O layer owns the timer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace edgevpn::ledger {

struct BackoffSettings {
  std::chrono::nanoseconds initial = std::chrono::seconds(5);
  std::chrono::nanoseconds max = std::chrono::minutes(2);
  double randomization = 0.5;  // delay = interval x U(1 - r, 1 + r)
  double multiplier = 2.0;
};

// The un-jittered interval before tick n+1 (n = 0 is the delay after the immediate first tick):
// initial, doubling, capped at max once interval >= max / multiplier (so an initial above max
// is used once, then max).
std::chrono::nanoseconds backoff_interval(uint32_t attempt, const BackoffSettings& settings);
// The jittered delay: interval +- r x interval, `uniform` in [0, 1).
std::chrono::nanoseconds backoff_delay(uint32_t attempt, const BackoffSettings& settings,
                                       double uniform);

// Stateful helper: first() is zero (fire immediately), then successive jittered delays.
class BackoffTicker {
 public:
  explicit BackoffTicker(BackoffSettings settings, std::function<double()> uniform)
      : settings_(settings), uniform_(std::move(uniform)) {}
  static BackoffTicker with_max(std::chrono::nanoseconds max, std::function<double()> uniform);

  // Delay until the next tick: 0 for the first call, then the backoff schedule.
  std::chrono::nanoseconds next_delay();
  void reset() { ticks_ = 0; }
  uint64_t ticks() const { return ticks_; }

 private:
  BackoffSettings settings_;
  std::function<double()> uniform_;
  uint64_t ticks_ = 0;
};

}  // namespace edgevpn::ledger
