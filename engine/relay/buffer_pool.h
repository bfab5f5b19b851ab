// Copyright 2026 The natfwt Authors.
//
// BufferPool: a fixed set of equal packet buffers, allocated once, handed out
// and taken back in O(1) (wireguard-go device/pools.go, without growth).
//
// Each buffer is `buffer_bytes` long; packets start `headroom` bytes in, so
// headers are prepended in place (Fresh()). At the cap the pool never grows:
// TryAcquire() returns fewer buffers (possibly none), Acquire() waits for a
// Release() (or Close(), or its timeout).
//
//   NATFWT_ASSIGN_OR_RETURN(auto pool, BufferPool::Create({256, 2048, 64}));
//   BufferPool::BufferId ids[32];
//   size_t n = pool->TryAcquire(absl::MakeSpan(ids));
//   PacketSpan packet = pool->Fresh(ids[0]);
//   ...
//   pool->Release(absl::MakeConstSpan(ids, n));
//
// Thread-safety: every method may be called from any thread. One mutex
// guards the free list; batch calls take it once per batch.

#ifndef NATFWT_ENGINE_RELAY_BUFFER_POOL_H_
#define NATFWT_ENGINE_RELAY_BUFFER_POOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/relay/packet.h"

namespace natfwt::relay {

class BufferPool {
 public:
  // Identifies one buffer of this pool: 0 .. capacity() - 1.
  using BufferId = uint32_t;

  struct Options {
    size_t buffer_count = 0;  // 1 .. kMaxBuffers.
    size_t buffer_bytes = 0;  // 1 .. kMaxBufferBytes.
    size_t headroom = 0;      // < buffer_bytes.
  };
  // Implementation limits (a pool of at most 4 GiB in 64 Ki buffers).
  static constexpr size_t kMaxBuffers = 1 << 16;
  static constexpr size_t kMaxBufferBytes = 1 << 16;

  // Allocates every buffer now. Errors: kInvalidArgument when a count or
  // size is 0 or above its limit, or headroom >= buffer_bytes;
  // kResourceExhausted when the memory cannot be allocated.
  static absl::StatusOr<std::unique_ptr<BufferPool>> Create(
      const Options& options);

  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  // Frees the memory. Buffers still acquired become invalid: the owner of
  // the pool must outlive every user of its buffers.
  ~BufferPool() = default;

  // Takes up to out.size() free buffers without waiting; writes their ids to
  // out[0 .. n) and returns n (0 when none is free or after Close()).
  size_t TryAcquire(absl::Span<BufferId> out);

  // Like TryAcquire(), but first waits until at least one buffer is free.
  // Returns 0 only when `timeout` passed (a negative or infinite timeout
  // waits forever), Close() was called, or `out` is empty.
  size_t Acquire(absl::Span<BufferId> out,
                 absl::Duration timeout = absl::InfiniteDuration());

  // Gives buffers back. Ids that are out of range or not currently acquired
  // (a double release) are ignored; returns how many were ignored, so a
  // caller can count its own bugs instead of corrupting the pool.
  size_t Release(absl::Span<const BufferId> ids);

  // Wakes every waiting Acquire(); from now on acquires return 0. Release()
  // keeps working. Idempotent.
  void Close();

  // Start of buffer `id` (buffer_bytes() long). `id` must be < capacity().
  uint8_t* data(BufferId id) const { return base_ + id * stride_; }
  // An empty packet at the headroom of buffer `id`: data = data(id) +
  // headroom(), size 0, tailroom = buffer_bytes() - headroom().
  PacketSpan Fresh(BufferId id) const {
    return PacketSpan{data(id) + headroom_, 0, headroom_,
                      buffer_bytes_ - headroom_};
  }

  size_t capacity() const { return capacity_; }
  size_t buffer_bytes() const { return buffer_bytes_; }
  size_t headroom() const { return headroom_; }
  // Free buffers right now (a snapshot).
  size_t available() const;

 private:
  BufferPool(const Options& options, size_t stride,
             std::unique_ptr<uint8_t[]> storage);
  size_t TakeLocked(absl::Span<BufferId> out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  const size_t buffer_bytes_;
  const size_t headroom_;
  const size_t stride_;  // buffer_bytes_ rounded up to a cache line.
  const std::unique_ptr<uint8_t[]> storage_;
  uint8_t* const base_;  // storage_ rounded up to a cache line.

  mutable absl::Mutex mu_;
  std::vector<BufferId> free_ ABSL_GUARDED_BY(mu_);   // A stack (LIFO).
  std::vector<uint8_t> in_use_ ABSL_GUARDED_BY(mu_);  // 1 when acquired.
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace natfwt::relay

#endif  // NATFWT_ENGINE_RELAY_BUFFER_POOL_H_
