// Copyright 2026 The natfwt Authors.

#include "engine/relay/buffer_pool.h"

#include <algorithm>
#include <new>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace natfwt::relay {
namespace {

constexpr size_t kCacheLine = 64;

absl::Status CheckOptions(const BufferPool::Options& options) {
  if (options.buffer_count == 0 ||
      options.buffer_count > BufferPool::kMaxBuffers) {
    return absl::InvalidArgumentError(
        absl::StrCat("buffer_count ", options.buffer_count, " not in 1..",
                     BufferPool::kMaxBuffers));
  }
  if (options.buffer_bytes == 0 ||
      options.buffer_bytes > BufferPool::kMaxBufferBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("buffer_bytes ", options.buffer_bytes, " not in 1..",
                     BufferPool::kMaxBufferBytes));
  }
  if (options.headroom >= options.buffer_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("headroom ", options.headroom,
                     " leaves no room in a buffer of ", options.buffer_bytes));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<BufferPool>> BufferPool::Create(
    const Options& options) {
  absl::Status valid = CheckOptions(options);
  if (!valid.ok()) return valid;
  size_t stride =
      (options.buffer_bytes + kCacheLine - 1) / kCacheLine * kCacheLine;
  std::unique_ptr<uint8_t[]> storage(
      new (std::nothrow) uint8_t[stride * options.buffer_count + kCacheLine]);
  if (storage == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot allocate ", stride * options.buffer_count, " bytes"));
  }
  return std::unique_ptr<BufferPool>(
      new BufferPool(options, stride, std::move(storage)));
}

BufferPool::BufferPool(const Options& options, size_t stride,
                       std::unique_ptr<uint8_t[]> storage)
    : capacity_(options.buffer_count),
      buffer_bytes_(options.buffer_bytes),
      headroom_(options.headroom),
      stride_(stride),
      storage_(std::move(storage)),
      base_(storage_.get() +
            (kCacheLine -
             reinterpret_cast<uintptr_t>(storage_.get()) % kCacheLine) %
                kCacheLine),
      free_(options.buffer_count),
      in_use_(options.buffer_count, 0) {
  // Highest id at the bottom, so buffer 0 goes out first.
  for (size_t i = 0; i < capacity_; ++i) {
    free_[i] = static_cast<BufferId>(capacity_ - 1 - i);
  }
}

size_t BufferPool::TakeLocked(absl::Span<BufferId> out) {
  if (closed_) return 0;
  size_t n = std::min(out.size(), free_.size());
  for (size_t i = 0; i < n; ++i) {
    BufferId id = free_.back();
    free_.pop_back();
    in_use_[id] = 1;
    out[i] = id;
  }
  return n;
}

size_t BufferPool::TryAcquire(absl::Span<BufferId> out) {
  absl::MutexLock lock(&mu_);
  return TakeLocked(out);
}

size_t BufferPool::Acquire(absl::Span<BufferId> out, absl::Duration timeout) {
  if (out.empty()) return 0;
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !free_.empty();
  };
  absl::MutexLock lock(&mu_);
  absl::Condition condition(&ready);
  if (timeout < absl::ZeroDuration() || timeout == absl::InfiniteDuration()) {
    mu_.Await(condition);
  } else {
    mu_.AwaitWithTimeout(condition, timeout);
  }
  return TakeLocked(out);
}

size_t BufferPool::Release(absl::Span<const BufferId> ids) {
  size_t ignored = 0;
  absl::MutexLock lock(&mu_);
  for (BufferId id : ids) {
    if (id >= capacity_ || in_use_[id] == 0) {
      ++ignored;
      continue;
    }
    in_use_[id] = 0;
    free_.push_back(id);
  }
  return ignored;
}

void BufferPool::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

size_t BufferPool::available() const {
  absl::MutexLock lock(&mu_);
  return free_.size();
}

}  // namespace natfwt::relay
