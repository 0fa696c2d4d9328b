// When to send mDNS packets, driven by `now`: browse queries (first at once, then 4 s, growing
// 1.5-2.5x with jitter up to 60 s, as libp2p/zeroconf's client), start-up announcements (two
// unsolicited responses one second apart, RFC 6762 8.3) and answers to queries (delayed 20-120 ms
// to aggregate, and at most one multicast response per second, RFC 6762 6). No I/O.
#pragma once

#include <chrono>
#include <optional>

#include "p2p/mdns/mdns_records.hpp"
#include "util/clock.hpp"

namespace edgevpn::p2p::mdns {

struct MdnsTiming {
  std::chrono::milliseconds initial_query_interval{4000};
  std::chrono::milliseconds max_query_interval{60000};
  int announcements = 2;
  std::chrono::milliseconds announce_interval{1000};
  std::chrono::milliseconds min_response_delay{20};
  std::chrono::milliseconds max_response_delay{120};
  std::chrono::milliseconds min_multicast_interval{1000};
};

class MdnsScheduler {
 public:
  MdnsScheduler(util::SteadyTime start, RandomUniform uniform, MdnsTiming timing = {});

  bool query_due(util::SteadyTime now) const { return now >= next_query_; }
  void on_query_sent(util::SteadyTime now);

  bool announce_due(util::SteadyTime now) const;
  void on_announce_sent(util::SteadyTime now);

  // A query we should answer arrived; answers to several queries are merged into one send.
  void on_query_received(util::SteadyTime now);
  bool response_due(util::SteadyTime now) const {
    return pending_response_ && now >= *pending_response_;
  }
  void on_response_sent(util::SteadyTime now);

  // The earliest moment something becomes due.
  util::SteadyTime next_deadline() const;
  // Network change: query and announce again from the start.
  void restart(util::SteadyTime now);

  std::chrono::milliseconds query_interval() const { return interval_; }

 private:
  MdnsTiming timing_;
  RandomUniform uniform_;
  util::SteadyTime next_query_{};
  std::chrono::milliseconds interval_{};
  int queries_sent_ = 0;
  int announcements_left_ = 0;
  util::SteadyTime next_announce_{};
  std::optional<util::SteadyTime> pending_response_;
  std::optional<util::SteadyTime> last_multicast_;
};

}  // namespace edgevpn::p2p::mdns
