// Copyright 2026 The natfwt Authors.
//
// The data path's "no per-packet allocation" promise, measured: this binary
// routes OpenSSL's allocator (CRYPTO_set_mem_functions, installed before
// OpenSSL's first allocation) and the global operator new through counters,
// then seals and opens packets, including every drop path.

#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "engine/secure/aead_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};

void Count() {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
}

void* CountingMalloc(size_t size, const char*, int) {
  Count();
  return std::malloc(size);
}
void* CountingRealloc(void* pointer, size_t size, const char*, int) {
  Count();
  return std::realloc(pointer, size);
}
void CountingFree(void* pointer, const char*, int) { std::free(pointer); }

// Static initialisation runs before main(), so before OpenSSL allocates.
const bool g_openssl_hooked =
    CRYPTO_set_mem_functions(CountingMalloc, CountingRealloc, CountingFree) ==
    1;

}  // namespace

// The replacement pair allocates with malloc and frees with free. Both are
// kept out of line so that a tool that replaces operator new/delete itself
// (valgrind) replaces both halves; inlined, the free() would pair with
// valgrind's operator new. gcc cannot see that the halves belong together.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

[[gnu::noinline]] void* operator new(size_t size) {
  Count();
  void* pointer = std::malloc(size == 0 ? 1 : size);
  if (pointer == nullptr) throw std::bad_alloc();
  return pointer;
}
[[gnu::noinline]] void operator delete(void* pointer) noexcept {
  std::free(pointer);
}
[[gnu::noinline]] void operator delete(void* pointer, size_t) noexcept {
  std::free(pointer);
}

namespace natfwt::secure {
namespace {

using Bytes = std::vector<uint8_t>;

DirectionKeys Keys(uint8_t seed) {
  DirectionKeys keys;
  for (auto& byte : keys.key) byte = seed++;
  for (auto& byte : keys.salt) byte = seed++;
  return keys;
}

class AeadAllocationTest : public ::testing::TestWithParam<AeadAlgorithm> {};

TEST_P(AeadAllocationTest, SealAndOpenNeverAllocate) {
  ASSERT_TRUE(g_openssl_hooked) << "OpenSSL allocated before the hook";
  // The counters do see allocations: setting a channel up makes several.
  g_allocations = 0;
  g_counting = true;
  auto sender = AeadChannel::Create(GetParam(), Keys(1), Keys(2));
  g_counting = false;
  EXPECT_GT(g_allocations.load(), 5u);
  // valgrind substitutes its own operator new; natively ours counts.
  if (std::getenv("NATFWT_UNDER_VALGRIND") == nullptr) {
    static std::unique_ptr<int> kept;
    g_allocations = 0;
    g_counting = true;
    kept = std::make_unique<int>(1);
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 1u);
  }
  auto receiver = AeadChannel::Create(GetParam(), Keys(2), Keys(1));
  ASSERT_TRUE(sender.ok() && receiver.ok());
  Bytes plain(1200, 0x42);
  Bytes record(plain.size() + AeadChannel::kOverhead);
  Bytes opened(plain.size());
  Bytes tampered(record.size());
  // Warm-up: OpenSSL may set up per-thread state on first use.
  for (int i = 0; i < 10; ++i) {
    (*sender)->Seal(plain, absl::MakeSpan(record));
    (*receiver)->Open(record, absl::MakeSpan(opened));
  }
  g_allocations = 0;
  g_counting = true;
  size_t opened_count = 0;
  for (int i = 0; i < 1000; ++i) {
    (*sender)->Seal(plain, absl::MakeSpan(record));
    tampered = record;  // Same size: no allocation.
    tampered[100] ^= 1;
    (*receiver)->Open(tampered, absl::MakeSpan(opened));  // Auth failure.
    opened_count += (*receiver)->Open(record, absl::MakeSpan(opened)).ok();
    (*receiver)->Open(record, absl::MakeSpan(opened));  // Replay.
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_EQ(opened_count, 1000u);
  EXPECT_EQ((*receiver)->stats().dropped_by(AeadChannel::DropReason::kReplayed),
            1000u);
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, AeadAllocationTest,
    ::testing::Values(AeadAlgorithm::kAes256Gcm,
                      AeadAlgorithm::kChaCha20Poly1305),
    [](const ::testing::TestParamInfo<AeadAlgorithm>& test_info) {
      return test_info.param == AeadAlgorithm::kAes256Gcm ? "Aes256Gcm"
                                                          : "ChaCha20Poly1305";
    });

}  // namespace
}  // namespace natfwt::secure
