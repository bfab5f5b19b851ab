// Copyright 2026 The natfwt Authors.

#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/platform/tun/thread_state.h"

namespace natfwt::tun::testing {
namespace {

// The state letter after the parenthesised command (proc(5)).
char TaskState(uint64_t id) {
  std::ifstream stat(absl::StrCat("/proc/self/task/", id, "/stat"));
  std::string line;
  std::getline(stat, line);
  size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return '?';
  return line[paren + 2];
}

}  // namespace

uint64_t CurrentThreadId() { return static_cast<uint64_t>(gettid()); }

bool AwaitThreadAsleep(uint64_t id, absl::Time deadline) {
  while (absl::Now() < deadline) {
    if (TaskState(id) == 'S') return true;
    std::this_thread::yield();
  }
  return false;
}

}  // namespace natfwt::tun::testing
