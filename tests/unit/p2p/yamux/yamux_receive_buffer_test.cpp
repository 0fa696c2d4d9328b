// The chunked receive buffer: order across chunks, partial reads, moving chunks out, reuse.
#include "p2p/yamux/yamux_receive_buffer.hpp"

#include <gtest/gtest.h>

namespace edgevpn::p2p::yamux {
namespace {

util::Bytes pattern(size_t size, uint8_t seed) {
  util::Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(seed + i * 7 + i / 256);
  return out;
}

TEST(YamuxReceiveBuffer, ReadsBackEverythingInOrderAcrossChunks) {
  ReceiveBuffer buffer;
  util::Bytes expected;
  for (uint8_t i = 0; i < 20; ++i) {
    const util::Bytes piece = pattern(1000 + i * 5000, i);
    buffer.append(piece);
    util::append(expected, piece);
  }
  EXPECT_EQ(buffer.size(), expected.size());
  util::Bytes got;
  uint8_t out[3001];
  while (!buffer.empty()) {
    const size_t n = buffer.read(out);
    ASSERT_GT(n, 0u);
    got.insert(got.end(), out, out + n);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(buffer.read(out), 0u);  // empty: no spin, nothing copied
}

TEST(YamuxReceiveBuffer, TakeFrontMovesChunksWithoutLosingAPartialRead) {
  ReceiveBuffer buffer;
  const util::Bytes first = pattern(70000, 1);
  const util::Bytes second = pattern(90000, 2);
  buffer.append(first);
  buffer.append(second);
  uint8_t out[10];
  ASSERT_EQ(buffer.read(out), 10u);
  util::Bytes got(out, out + 10);
  while (!buffer.empty()) {
    const size_t before = buffer.size();
    util::Bytes chunk = buffer.take_front();
    ASSERT_FALSE(chunk.empty());
    EXPECT_EQ(buffer.size(), before - chunk.size());
    util::append(got, chunk);
  }
  util::Bytes expected = first;
  util::append(expected, second);
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(buffer.take_front().empty());
}

TEST(YamuxReceiveBuffer, ChunkMemoryStaysPutWhileMoreArrives) {
  ReceiveBuffer buffer;
  buffer.append(pattern(100, 3));
  const uint8_t* before = buffer.view().data();
  for (int i = 0; i < 50; ++i) buffer.append(pattern(4096, static_cast<uint8_t>(i)));
  EXPECT_EQ(buffer.view().data(), before);  // a view handed out stays valid
}

TEST(YamuxReceiveBuffer, ConsumeAndViewWorkAcrossChunkBoundaries) {
  ReceiveBuffer buffer;
  buffer.append(util::as_bytes("abc"));
  buffer.append(pattern(ReceiveBuffer::kChunkSize, 4));
  buffer.append(util::as_bytes("xyz"));
  buffer.consume(2);
  EXPECT_EQ(util::to_string(buffer.view().first(1)), "c");
  buffer.consume(1 + ReceiveBuffer::kChunkSize);
  EXPECT_EQ(buffer.size(), 3u);
  uint8_t out[8];
  ASSERT_EQ(buffer.read(out), 3u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 3), "xyz");
  buffer.append(util::as_bytes("again"));  // reuses the drained chunk
  EXPECT_EQ(util::to_string(buffer.view()), "again");
  buffer.release();
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(buffer.view().empty());
}

}  // namespace
}  // namespace edgevpn::p2p::yamux

namespace edgevpn::p2p::yamux {
namespace {

// Random appends, reads, consumes and takes against a plain byte queue.
TEST(YamuxReceiveBuffer, MatchesAByteQueueUnderRandomOperations) {
  uint32_t state = 12345;
  auto next = [&state](uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % bound;
  };
  ReceiveBuffer buffer;
  util::Bytes model;  // unread bytes, oldest first
  uint8_t counter = 0;
  for (int step = 0; step < 20000; ++step) {
    switch (next(4)) {
      case 0: {
        util::Bytes piece(next(3) == 0 ? next(100000) : next(2000));
        for (auto& byte : piece) byte = counter++;
        buffer.append(piece);
        util::append(model, piece);
        break;
      }
      case 1: {
        util::Bytes out(next(70000));
        const size_t n = buffer.read(out);
        ASSERT_EQ(n, std::min(out.size(), model.size()));
        ASSERT_TRUE(std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
                               model.begin()));
        model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
        break;
      }
      case 2: {
        const size_t n = std::min<size_t>(next(50000), model.size());
        buffer.consume(n);
        model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
        break;
      }
      default: {
        const util::Bytes chunk = buffer.take_front();
        ASSERT_LE(chunk.size(), model.size());
        ASSERT_EQ(chunk.empty(), model.empty());
        ASSERT_TRUE(std::equal(chunk.begin(), chunk.end(), model.begin()));
        model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(chunk.size()));
        break;
      }
    }
    ASSERT_EQ(buffer.size(), model.size()) << "step " << step;
    ASSERT_EQ(buffer.empty(), model.empty());
    const util::ByteView view = buffer.view();
    ASSERT_LE(view.size(), model.size());
    ASSERT_TRUE(std::equal(view.begin(), view.end(), model.begin()));
  }
}

}  // namespace
}  // namespace edgevpn::p2p::yamux
