// Copyright 2026 The natfwt Authors.
//
// Test helper: waiting until another thread is blocked in the kernel, to
// test "Close() wakes a blocked Read()" without sleeping.

#ifndef NATFWT_TESTS_PLATFORM_TUN_THREAD_STATE_H_
#define NATFWT_TESTS_PLATFORM_TUN_THREAD_STATE_H_

#include <cstdint>

#include "absl/time/time.h"

namespace natfwt::tun::testing {

// The calling thread's OS id (Linux: gettid()); 0 where unknown.
uint64_t CurrentThreadId();

// Spins (yielding, never sleeping) until thread `id` of this process is
// asleep in the kernel (Linux: state 'S' in /proc/self/task/ID/stat), or
// until `deadline`. Returns whether it saw the thread asleep. Where the OS
// offers no way to tell, returns false at once.
bool AwaitThreadAsleep(uint64_t id, absl::Time deadline);

}  // namespace natfwt::tun::testing

#endif  // NATFWT_TESTS_PLATFORM_TUN_THREAD_STATE_H_
