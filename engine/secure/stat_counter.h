// Copyright 2026 The natfwt Authors.
//
// StatCounter: a statistics counter written by one thread and read by any.
//
// The writer does a relaxed load and store (no locked read-modify-write on
// the hot path); readers see a recent value. Only one thread may call Add()
// on a given counter at a time.

#ifndef NATFWT_ENGINE_SECURE_STAT_COUNTER_H_
#define NATFWT_ENGINE_SECURE_STAT_COUNTER_H_

#include <atomic>
#include <cstdint>

namespace natfwt::secure {

class StatCounter {
 public:
  void Add(uint64_t amount) {
    value_.store(value_.load(std::memory_order_relaxed) + amount,
                 std::memory_order_relaxed);
  }
  void Set(uint64_t value) { value_.store(value, std::memory_order_relaxed); }
  uint64_t Get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_STAT_COUNTER_H_
