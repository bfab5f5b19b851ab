// Copyright 2026 The natfwt Authors.
//
// SetCurrentThreadName: names the calling thread for debuggers, `top -H`,
// `ps -L` and crash reports, so the runtime's worker threads can be told
// apart ("cp-control", "cp-packet", "cp-indicate").
//
// One file per OS: thread_name_linux.cc (pthread_setname_np; the kernel keeps
// 15 bytes), thread_name_windows.cc (SetThreadDescription where Windows has
// it: Windows 10 1607 and later), thread_name_default.cc (does nothing).
//
//   std::thread worker([] {
//     SetCurrentThreadName("cp-indicate");
//     ...
//   });
//
// Thread-safety: affects only the calling thread.

#ifndef NATFWT_PLATFORM_BASE_THREAD_NAME_H_
#define NATFWT_PLATFORM_BASE_THREAD_NAME_H_

namespace natfwt {

// Best effort: `name` (ASCII) is cut to what the OS keeps (Linux: 15 bytes);
// failures are ignored (a name is only a debugging aid).
void SetCurrentThreadName(const char* name);

}  // namespace natfwt

#endif  // NATFWT_PLATFORM_BASE_THREAD_NAME_H_
