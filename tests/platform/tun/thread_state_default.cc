// Copyright 2026 The natfwt Authors.

#include "tests/platform/tun/thread_state.h"

namespace natfwt::tun::testing {

uint64_t CurrentThreadId() { return 0; }

bool AwaitThreadAsleep(uint64_t, absl::Time) { return false; }

}  // namespace natfwt::tun::testing
