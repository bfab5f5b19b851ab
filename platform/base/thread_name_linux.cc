// Copyright 2026 The natfwt Authors.
//
// SetCurrentThreadName on Linux: pthread_setname_np, which refuses names of
// 16 bytes or more (ERANGE; the kernel's TASK_COMM_LEN is 16 with the NUL),
// so longer names are cut first.

#include <pthread.h>

#include <cstring>

#include "platform/base/thread_name.h"

namespace natfwt {

void SetCurrentThreadName(const char* name) {
  char cut[16] = {};
  std::strncpy(cut, name, sizeof(cut) - 1);
  (void)pthread_setname_np(pthread_self(), cut);
}

}  // namespace natfwt
