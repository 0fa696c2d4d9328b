// Pooled packet batches (with headroom) and the data-plane counters.
#include "vpn/packet/packet_batch.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "vpn/packet/packet_counters.hpp"

namespace edgevpn::vpn {
namespace {

TEST(PacketBatch, StoresPacketsInFixedSlotsWithHeadroom) {
  PacketBatch batch(2, 64, 2);
  auto slot = batch.next_slot();
  ASSERT_EQ(slot.size(), 64u);
  std::fill_n(slot.begin(), 10, 0xaa);
  batch.push(10);
  slot = batch.next_slot();
  std::fill_n(slot.begin(), 3, 0xbb);
  batch.push(3);
  EXPECT_TRUE(batch.full());
  EXPECT_EQ(batch.packet(0).size(), 10u);
  EXPECT_EQ(batch.packet(1)[2], 0xbb);
  // The headroom sits right before the packet, for an in-place frame header.
  auto room = batch.headroom_of(1);
  ASSERT_EQ(room.size(), 2u);
  EXPECT_EQ(room.data() + 2, batch.packet(1).data());
  batch.clear();
  EXPECT_EQ(batch.size(), 0u);
}

TEST(PacketCounters, CountsAndMergesDropsByReason) {
  PacketCounters a, b;
  a.count_out(100);
  a.count_drop(DropReason::kNoRoute);
  b.count_in(50);
  b.count_drop(DropReason::kNoRoute);
  b.count_drop(DropReason::kMalformed);
  a += b;
  EXPECT_EQ(a.packets_out, 1u);
  EXPECT_EQ(a.bytes_in, 50u);
  EXPECT_EQ(a.dropped(DropReason::kNoRoute), 2u);
  EXPECT_EQ(a.total_drops(), 3u);
  EXPECT_EQ(drop_reason_name(DropReason::kNoRoute), "no_route");
}

}  // namespace
}  // namespace edgevpn::vpn
