// Copyright 2026 The natfwt Authors.
//
// BufferPool: option checks, geometry, the cap (failing and blocking
// acquires), release misuse, a differential test against a std::set oracle,
// and a multi-threaded stress test that detects a buffer handed out twice.

#include "engine/relay/buffer_pool.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::relay {
namespace {

using ::natfwt::testing::StatusIs;
using BufferId = BufferPool::BufferId;

struct BadOptionsCase {
  std::string name;
  BufferPool::Options options;
  friend void PrintTo(const BadOptionsCase& c, std::ostream* os) {
    *os << c.name;
  }
};

class BufferPoolOptionsTest : public ::testing::TestWithParam<BadOptionsCase> {
};

TEST_P(BufferPoolOptionsTest, IsInvalidArgument) {
  EXPECT_THAT(BufferPool::Create(GetParam().options),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

INSTANTIATE_TEST_SUITE_P(
    Bad, BufferPoolOptionsTest,
    ::testing::Values(
        BadOptionsCase{"NoBuffers", {0, 2048, 0}},
        BadOptionsCase{"TooManyBuffers", {BufferPool::kMaxBuffers + 1, 64, 0}},
        BadOptionsCase{"EmptyBuffers", {4, 0, 0}},
        BadOptionsCase{"HugeBuffers", {4, BufferPool::kMaxBufferBytes + 1, 0}},
        BadOptionsCase{"HeadroomFillsBuffer", {4, 128, 128}}),
    [](const ::testing::TestParamInfo<BadOptionsCase>& test) {
      return test.param.name;
    });

TEST(BufferPool, BuffersAreDisjointAlignedAndHaveHeadroom) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool, BufferPool::Create({8, 1500, 48}));
  EXPECT_EQ(pool->capacity(), 8u);
  EXPECT_EQ(pool->available(), 8u);
  std::vector<BufferId> ids(8);
  ASSERT_EQ(pool->TryAcquire(absl::MakeSpan(ids)), 8u);
  std::set<BufferId> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), 8u);
  for (BufferId id : ids) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(pool->data(id)) % 64, 0u);
    std::memset(pool->data(id), static_cast<int>(id), 1500);  // Own bytes.
    PacketSpan packet = pool->Fresh(id);
    EXPECT_EQ(packet.data, pool->data(id) + 48);
    EXPECT_EQ(packet.size, 0u);
    EXPECT_EQ(packet.headroom, 48u);
    EXPECT_EQ(packet.tailroom, 1500u - 48);
  }
  for (BufferId id : ids) {  // No buffer overlapped another.
    std::vector<uint8_t> expected(1500, static_cast<uint8_t>(id));
    EXPECT_EQ(std::memcmp(pool->data(id), expected.data(), 1500), 0);
  }
  EXPECT_EQ(pool->Release(ids), 0u);
  EXPECT_EQ(pool->available(), 8u);
}

TEST(BufferPool, TryAcquireFailsAtTheCap) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool, BufferPool::Create({3, 64, 0}));
  std::vector<BufferId> ids(5);
  EXPECT_EQ(pool->TryAcquire(absl::MakeSpan(ids)), 3u);  // Partial.
  EXPECT_EQ(pool->TryAcquire(absl::MakeSpan(ids)), 0u);  // Empty.
  EXPECT_EQ(pool->available(), 0u);
  EXPECT_EQ(pool->Acquire(absl::MakeSpan(ids), absl::Milliseconds(10)), 0u);
}

TEST(BufferPool, ReleaseIgnoresDoubleAndForeignIds) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool, BufferPool::Create({4, 64, 0}));
  BufferId id;
  ASSERT_EQ(pool->TryAcquire(absl::MakeSpan(&id, 1)), 1u);
  const BufferId twice[] = {id, id, 4, 1000};
  EXPECT_EQ(pool->Release(twice), 3u);
  EXPECT_EQ(pool->available(), 4u);
  const BufferId never[] = {2};
  EXPECT_EQ(pool->Release(never), 1u);  // Not acquired: free already.
  EXPECT_EQ(pool->available(), 4u);
}

TEST(BufferPool, BlockedAcquireTakesTheReleasedBuffer) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool, BufferPool::Create({1, 64, 0}));
  BufferId held;
  ASSERT_EQ(pool->TryAcquire(absl::MakeSpan(&held, 1)), 1u);
  BufferId got = 99;
  size_t count = 0;
  std::thread waiter([&] { count = pool->Acquire(absl::MakeSpan(&got, 1)); });
  EXPECT_EQ(pool->Release(absl::MakeConstSpan(&held, 1)), 0u);
  waiter.join();
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(got, held);
}

TEST(BufferPool, CloseWakesBlockedAcquire) {
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool, BufferPool::Create({1, 64, 0}));
  BufferId held;
  ASSERT_EQ(pool->TryAcquire(absl::MakeSpan(&held, 1)), 1u);
  size_t count = 7;
  BufferId got;
  std::thread waiter([&] { count = pool->Acquire(absl::MakeSpan(&got, 1)); });
  pool->Close();
  waiter.join();
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(pool->Release(absl::MakeConstSpan(&held, 1)), 0u);
  EXPECT_EQ(pool->TryAcquire(absl::MakeSpan(&got, 1)), 0u);  // Closed.
}

// Random acquire/release sequences against a set of free ids.
TEST(BufferPool, DifferentialAgainstASetOracle) {
  constexpr size_t kCapacity = 37;
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool,
                              BufferPool::Create({kCapacity, 32, 0}));
  std::set<BufferId> oracle_free;
  for (BufferId id = 0; id < kCapacity; ++id) oracle_free.insert(id);
  std::vector<BufferId> held;
  std::mt19937 random(20260101);
  for (int step = 0; step < 20000; ++step) {
    if (random() % 2 == 0) {
      std::vector<BufferId> out(random() % 9);
      size_t n = pool->TryAcquire(absl::MakeSpan(out));
      ASSERT_EQ(n, std::min(out.size(), oracle_free.size()));
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(oracle_free.erase(out[i]), 1u) << "handed out twice";
        held.push_back(out[i]);
      }
    } else {
      std::vector<BufferId> back;
      size_t expected_ignored = 0;
      for (size_t k = random() % 6; k > 0; --k) {
        if (!held.empty() && random() % 4 != 0) {
          size_t pick = random() % held.size();
          back.push_back(held[pick]);
          held.erase(held.begin() + static_cast<ptrdiff_t>(pick));
        } else {  // A bogus id: free already or out of range.
          BufferId bogus = static_cast<BufferId>(random() % (kCapacity + 5));
          back.push_back(bogus);
        }
      }
      std::set<BufferId> released_now;
      for (BufferId id : back) {
        bool valid =
            id < kCapacity && !oracle_free.count(id) && !released_now.count(id);
        if (valid) {
          released_now.insert(id);
        } else {
          ++expected_ignored;
        }
      }
      ASSERT_EQ(pool->Release(back), expected_ignored);
      oracle_free.insert(released_now.begin(), released_now.end());
    }
    ASSERT_EQ(pool->available(), oracle_free.size());
  }
}

// Threads acquire with blocking and non-blocking calls, stamp each buffer,
// check nobody else touched it, and release. A buffer handed to two holders
// at once trips the ownership flags or the stamps.
TEST(BufferPool, StressNeverHandsOutABufferTwice) {
  constexpr size_t kCapacity = 16;
  constexpr size_t kBytes = 256;
  constexpr int kThreads = 4;
  constexpr int iterations = 20000;
  NATFWT_ASSERT_OK_AND_ASSIGN(auto pool,
                              BufferPool::Create({kCapacity, kBytes, 16}));
  std::vector<std::atomic<int>> owner(kCapacity);
  for (auto& o : owner) o.store(-1);
  std::atomic<int> violations{0};
  std::atomic<size_t> blocking_takes{0};
  auto worker = [&](int me) {
    std::mt19937 random(static_cast<uint32_t>(me));
    std::vector<BufferId> ids(8);
    for (int i = 0; i < iterations; ++i) {
      auto span = absl::MakeSpan(ids.data(), 1 + random() % ids.size());
      size_t n = (i % 2 == 0) ? pool->Acquire(span) : pool->TryAcquire(span);
      if (i % 2 == 0) blocking_takes += n;
      for (size_t k = 0; k < n; ++k) {
        int expected = -1;
        if (!owner[ids[k]].compare_exchange_strong(expected, me)) ++violations;
        std::memset(pool->data(ids[k]), me, kBytes);
      }
      for (size_t k = 0; k < n; ++k) {
        const uint8_t* data = pool->data(ids[k]);
        if (std::count(data, data + kBytes, static_cast<uint8_t>(me)) !=
            static_cast<ptrdiff_t>(kBytes)) {
          ++violations;
        }
        owner[ids[k]].store(-1);
      }
      if (pool->Release(absl::MakeConstSpan(ids.data(), n)) != 0) ++violations;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(blocking_takes.load(), 0u);
  EXPECT_EQ(pool->available(), kCapacity);
}

TEST(PacketSpan, GrowsAndShrinksWithinItsRoom) {
  uint8_t buffer[32] = {};
  PacketSpan packet{buffer + 8, 10, 8, 14};
  EXPECT_FALSE(packet.Prepend(9));
  EXPECT_TRUE(packet.Prepend(8));
  EXPECT_EQ(packet.data, buffer);
  EXPECT_EQ(packet.size, 18u);
  EXPECT_FALSE(packet.Append(15));
  EXPECT_TRUE(packet.Append(14));
  EXPECT_EQ(packet.size, 32u);
  EXPECT_FALSE(packet.TrimFront(33));
  EXPECT_TRUE(packet.TrimFront(4));
  EXPECT_TRUE(packet.TrimBack(4));
  EXPECT_EQ(packet.data, buffer + 4);
  EXPECT_EQ(packet.size, 24u);
  EXPECT_EQ(packet.headroom, 4u);
  EXPECT_EQ(packet.tailroom, 4u);
}

}  // namespace
}  // namespace natfwt::relay
