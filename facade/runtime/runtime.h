// Copyright 2026 The natfwt Authors.
//
// Runtime: natfwt's Connectivity Platform. The five CPNatfwt* exports are
// thin wrappers around Runtime::Default(); embedders and tests may build their
// own Runtime with their own options (in-memory interfaces, a fake clock).
//
//   cp::RuntimeOptions options = cp::RuntimeOptions::FromEnvironment();
//   cp::Runtime runtime(std::move(options));
//   CPNATFWT_PROVIDER_INSTANCE instance;
//   NATFWT_RETURN_IF_ERROR(runtime.Create(&callbacks, context, &instance));
//   NATFWT_RETURN_IF_ERROR(runtime.Register(instance, L"VPN", &luid, 0,
//   nullptr));
//
// Interface LUIDs (spec 4.2, 6.5, 9): each interface has an association
// record (facade/identity/association_store.h) keyed by natfwt's own LUID
// (luid.h), which also fixes its kernel name, from which the backend makes
// the same interface again (Windows: the Wintun adapter GUID, so Windows
// gives back the same adapter and LUID). Where the backend reports the OS's
// LUID of the interface (VirtualInterface::luid() != 0: Wintun), that is the
// LUID providers get from Register, and the record keeps it as os_luid;
// where it does not (Linux: the kernel has ifindexes, not LUIDs), providers
// get natfwt's own. Register finds the record by either LUID. Deviation from
// spec 4.2, documented in cpnatfwt.h: the LUID given back may differ from a
// nonzero one passed in (natfwt's own passed in where the OS has LUIDs, or an
// adapter the OS gave a new LUID).
//
// Errors carry the exact HRESULT of the spec (hresult.h's ToHresult).
// Thread-safety: every method may be called from any thread.

#ifndef NATFWT_FACADE_RUNTIME_RUNTIME_H_
#define NATFWT_FACADE_RUNTIME_RUNTIME_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cpnatfwt.h"
#include "facade/runtime/instance.h"
#include "facade/runtime/runtime_options.h"

namespace natfwt::cp {

struct RuntimeContext;

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  // Shutdown(), then destroys every instance still alive.
  ~Runtime();

  // The runtime behind the C ABI, configured from the environment on first
  // use (RuntimeOptions::FromEnvironment). Lives until the process exits.
  static Runtime& Default();

  // Spec 4.1. Errors: E_POINTER, E_INVALIDARG, E_OUTOFMEMORY.
  absl::Status Create(const CPNATFWT_PROVIDER_CALLBACKS* callbacks,
                      PVOID user_context, CPNATFWT_PROVIDER_INSTANCE* instance);
  // Spec 4.2.
  absl::Status Register(CPNATFWT_PROVIDER_INSTANCE instance,
                        const WCHAR* friendly_name, IF_LUID* luid, ULONG flags,
                        const WCHAR* sddl);
  // Spec 4.3.
  absl::Status Deregister(CPNATFWT_PROVIDER_INSTANCE instance);
  // Spec 4.4. Returns kInvalidArgument for a stale or unknown handle (the
  // C ABI logs it, since Destroy returns VOID).
  absl::Status Destroy(CPNATFWT_PROVIDER_INSTANCE instance);
  // Spec 4.5 without a completion routine: the packet is validated and
  // written into the interface before this returns.
  absl::Status IndicateReceived(CPNATFWT_PROVIDER_INSTANCE instance,
                                const CPNATFWT_TRANSPORT_ID* local,
                                const CPNATFWT_TRANSPORT_ID* remote,
                                const CPNATFWT_BUFFER* chain);
  // Spec 4.5 with the optional completion routine, as the C ABI has it.
  // Without `routine`: IndicateReceived, false. With one: true when pended
  // (the C ABI returns ERROR_IO_PENDING; `routine` then runs exactly once,
  // on the instance's indicate thread, maybe before this returns), false
  // when done synchronously (a chain of several segments; the routine is not
  // called). Errors never call the routine: those of IndicateReceived, and
  // ERROR_NO_SYSTEM_RESOURCES when the instance's pended queue
  // (RuntimeOptions::indicate_queue) is full. See instance_indicate.cc.
  absl::StatusOr<bool> IndicateReceivedBuffers(
      CPNATFWT_PROVIDER_INSTANCE instance, const CPNATFWT_TRANSPORT_ID* local,
      const CPNATFWT_TRANSPORT_ID* remote, CPNATFWT_BUFFER* chain,
      PVOID context, CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine);

  // Ends every session of this runtime with PLATFORM_SHUTDOWN (the providers
  // then deregister and destroy as usual).
  void Shutdown();

  // What tools and tests may see; kInvalidArgument for a bad handle.
  absl::StatusOr<InstanceInfo> Describe(
      CPNATFWT_PROVIDER_INSTANCE instance) const;

 private:
  std::shared_ptr<Instance> Find(CPNATFWT_PROVIDER_INSTANCE instance) const;
  // Joins the threads of instances destroyed from their own callbacks: all
  // of them (`wait`), or those already finished.
  void ReapZombies(bool wait);

  std::shared_ptr<RuntimeContext> context_;
  mutable absl::Mutex mutex_;
  // Instances created by this runtime and not yet destroyed.
  std::vector<std::weak_ptr<Instance>> instances_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_RUNTIME_RUNTIME_H_
