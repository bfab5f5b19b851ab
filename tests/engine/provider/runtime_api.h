// Copyright 2026 The natfwt Authors.
//
// RuntimeApi: a provider::CpApi whose five functions go to a cp::Runtime
// the test (or benchmark) built, with in-memory interfaces and its own
// clock, instead of libcpnatfwt's process-wide runtime. It counts the
// calls, so tests can check "Deregister, then Destroy exactly once", and
// can make Register fail.
//
// One RuntimeApi at a time per process (the functions are plain C
// pointers, so they find it through a global).
//
// Thread-safety: the table's functions may be called from any thread.

#ifndef NATFWT_TESTS_ENGINE_PROVIDER_RUNTIME_API_H_
#define NATFWT_TESTS_ENGINE_PROVIDER_RUNTIME_API_H_

#include <atomic>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cpnatfwt.h"
#include "engine/provider/cp_api.h"
#include "facade/runtime/runtime.h"

namespace natfwt::provider::testing {

class RuntimeApi {
 public:
  // `runtime` must outlive this object.
  explicit RuntimeApi(cp::Runtime& runtime);
  RuntimeApi(const RuntimeApi&) = delete;
  RuntimeApi& operator=(const RuntimeApi&) = delete;
  ~RuntimeApi();

  CpApi api() const;
  cp::Runtime& runtime() { return runtime_; }

  // Register answers `hr` without asking the runtime (S_OK: asks again).
  void FailRegisterWith(HRESULT hr) { register_failure_.store(hr); }

  // Instances created so far.
  std::vector<CPNATFWT_PROVIDER_INSTANCE> instances() const;
  int creates() const { return creates_.load(); }
  int registers() const { return registers_.load(); }
  int deregisters() const { return deregisters_.load(); }
  int destroys() const { return destroys_.load(); }
  bool WaitForDestroys(int count,
                       absl::Duration timeout = absl::Seconds(10)) const;

 private:
  static RuntimeApi& Current();
  static HRESULT WINAPI Create(const CPNATFWT_PROVIDER_CALLBACKS* callbacks,
                               PVOID context,
                               CPNATFWT_PROVIDER_INSTANCE* instance);
  static HRESULT WINAPI Register(CPNATFWT_PROVIDER_INSTANCE instance,
                                 WCHAR* name, IF_LUID* luid, ULONG flags,
                                 WCHAR* sddl);
  static HRESULT WINAPI Deregister(CPNATFWT_PROVIDER_INSTANCE instance);
  static VOID WINAPI Destroy(CPNATFWT_PROVIDER_INSTANCE instance);
  static HRESULT WINAPI Indicate(CPNATFWT_PROVIDER_INSTANCE instance,
                                 CPNATFWT_TRANSPORT_ID* local,
                                 CPNATFWT_TRANSPORT_ID* remote,
                                 CPNATFWT_BUFFER* chain, PVOID context,
                                 CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine);

  cp::Runtime& runtime_;
  std::atomic<HRESULT> register_failure_{S_OK};
  std::atomic<int> creates_{0};
  std::atomic<int> registers_{0};
  std::atomic<int> deregisters_{0};
  std::atomic<int> destroys_{0};
  mutable absl::Mutex mutex_;
  std::vector<CPNATFWT_PROVIDER_INSTANCE> instances_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace natfwt::provider::testing

#endif  // NATFWT_TESTS_ENGINE_PROVIDER_RUNTIME_API_H_
