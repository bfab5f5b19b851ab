// Copyright 2026 The natfwt Authors.
//
// SetCurrentThreadName where natfwt has no way to name threads: nothing.

#include "platform/base/thread_name.h"

namespace natfwt {

void SetCurrentThreadName(const char* /*name*/) {}

}  // namespace natfwt
