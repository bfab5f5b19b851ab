// Copyright 2026 The natfwt Authors.
//
// RuntimeContext: what every instance of one Runtime shares: options, clock,
// the association store and the sets of interfaces in use.
//
// Thread-safety: `options` and `clock` are immutable after construction;
// everything else is guarded by `mutex`.

#ifndef NATFWT_FACADE_RUNTIME_RUNTIME_CONTEXT_H_
#define NATFWT_FACADE_RUNTIME_RUNTIME_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "facade/identity/association_store.h"
#include "facade/runtime/runtime_options.h"
#include "platform/base/clock.h"

namespace natfwt::cp {

class Instance;

struct RuntimeContext {
  explicit RuntimeContext(RuntimeOptions runtime_options);

  // The store, opened on first use. kUnavailable / kPermissionDenied when
  // the state directory cannot be used.
  absl::StatusOr<AssociationStore*> Store()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex);

  const RuntimeOptions options;
  Clock& clock;

  absl::Mutex mutex;
  std::unique_ptr<AssociationStore> store ABSL_GUARDED_BY(mutex);
  // Association LUIDs (natfwt's own, AssociationRecord::luid) and friendly
  // names of registered, not yet deregistered instances.
  absl::flat_hash_set<uint64_t> luids_in_use ABSL_GUARDED_BY(mutex);
  absl::flat_hash_set<std::string> names_in_use ABSL_GUARDED_BY(mutex);
  absl::BitGen random ABSL_GUARDED_BY(mutex);
  // Instances destroyed from their own callbacks: their threads finish on
  // their own and are joined by the runtime later.
  std::vector<std::shared_ptr<Instance>> zombies ABSL_GUARDED_BY(mutex);
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_RUNTIME_RUNTIME_CONTEXT_H_
