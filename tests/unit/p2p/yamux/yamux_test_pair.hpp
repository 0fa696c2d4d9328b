// Test helper: a yamux client and server session wired back to back in memory.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "p2p/yamux/yamux_session.hpp"

namespace edgevpn::p2p::yamux::testing {

struct SessionPair {
  explicit SessionPair(Config config = {})
      : client(Role::kClient, config), server(Role::kServer, config) {}
  SessionPair(Config client_config, Config server_config)
      : client(Role::kClient, client_config), server(Role::kServer, server_config) {}

  // Moves queued bytes both ways until neither side has output. Fails the test on an error.
  void pump() {
    for (bool moved = true; moved;) {
      moved = false;
      if (client.has_output()) {
        client.take_output(wire);
        ASSERT_TRUE(server.on_bytes(wire, now).ok());
        moved = true;
      }
      if (server.has_output()) {
        server.take_output(wire);
        ASSERT_TRUE(client.on_bytes(wire, now).ok());
        moved = true;
      }
    }
  }

  static std::vector<Event> drain(Session& session) {
    std::vector<Event> events;
    while (auto event = session.next_event()) events.push_back(*event);
    return events;
  }

  Session client;
  Session server;
  util::SteadyTime now{std::chrono::seconds(1)};
  util::Bytes wire;
};

inline bool has_event(const std::vector<Event>& events, Event::Kind kind, uint32_t id = 0) {
  for (const auto& event : events) {
    if (event.kind == kind && (id == 0 || event.stream_id == id)) return true;
  }
  return false;
}

// Deterministic pseudo-random bytes.
inline util::Bytes pattern(size_t size, uint32_t seed) {
  util::Bytes out(size);
  uint32_t state = seed * 2654435761u + 1;
  for (auto& byte : out) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<uint8_t>(state >> 24);
  }
  return out;
}

}  // namespace edgevpn::p2p::yamux::testing
