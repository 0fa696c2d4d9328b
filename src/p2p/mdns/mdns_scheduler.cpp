// mDNS send scheduling.
#include "p2p/mdns/mdns_scheduler.hpp"

#include <algorithm>

namespace edgevpn::p2p::mdns {

MdnsScheduler::MdnsScheduler(util::SteadyTime start, RandomUniform uniform, MdnsTiming timing)
    : timing_(timing), uniform_(std::move(uniform)) {
  restart(start);
}

void MdnsScheduler::restart(util::SteadyTime now) {
  next_query_ = now;
  interval_ = timing_.initial_query_interval;
  queries_sent_ = 0;
  announcements_left_ = timing_.announcements;
  next_announce_ = now;
}

void MdnsScheduler::on_query_sent(util::SteadyTime now) {
  // The first query waits the initial interval; every later one grows it to 1.5-2.5x.
  if (queries_sent_ > 0 && interval_ < timing_.max_query_interval) {
    const auto ms = static_cast<uint32_t>(std::max<int64_t>(interval_.count(), 1));
    interval_ += std::chrono::milliseconds(uniform_(ms) % ms) + interval_ / 2;
    interval_ = std::min(interval_, timing_.max_query_interval);
  }
  ++queries_sent_;
  next_query_ = now + interval_;
}

bool MdnsScheduler::announce_due(util::SteadyTime now) const {
  return announcements_left_ > 0 && now >= next_announce_ &&
         (!last_multicast_ || now >= *last_multicast_ + timing_.min_multicast_interval);
}

void MdnsScheduler::on_announce_sent(util::SteadyTime now) {
  if (announcements_left_ > 0) --announcements_left_;
  next_announce_ = now + timing_.announce_interval;
  last_multicast_ = now;
}

void MdnsScheduler::on_query_received(util::SteadyTime now) {
  if (pending_response_) return;  // aggregated into the response already scheduled
  const auto spread =
      static_cast<uint32_t>((timing_.max_response_delay - timing_.min_response_delay).count() + 1);
  util::SteadyTime at =
      now + timing_.min_response_delay + std::chrono::milliseconds(uniform_(spread) % spread);
  if (last_multicast_) at = std::max(at, *last_multicast_ + timing_.min_multicast_interval);
  pending_response_ = at;
}

void MdnsScheduler::on_response_sent(util::SteadyTime now) {
  pending_response_.reset();
  last_multicast_ = now;
}

util::SteadyTime MdnsScheduler::next_deadline() const {
  util::SteadyTime next = next_query_;
  if (announcements_left_ > 0) {
    util::SteadyTime announce = next_announce_;
    if (last_multicast_)
      announce = std::max(announce, *last_multicast_ + timing_.min_multicast_interval);
    next = std::min(next, announce);
  }
  if (pending_response_) next = std::min(next, *pending_response_);
  return next;
}

}  // namespace edgevpn::p2p::mdns
