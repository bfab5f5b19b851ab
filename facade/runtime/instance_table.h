// Copyright 2026 The natfwt Authors.
//
// InstanceTable: the process-wide table behind CPNATFWT_PROVIDER_INSTANCE
// handles (spec 3.1, decision D9).
//
// A handle is never a pointer: it is (generation << 32 | slot + 1). A slot's
// generation changes when its instance is removed, so a stale handle, a
// second Destroy or a made-up value is detected instead of touching freed
// memory. Completion contexts name instances by slot (see pending_ops.h), so
// lookups by slot are offered too.
//
// Thread-safety: all methods may be called from any thread.

#ifndef NATFWT_FACADE_RUNTIME_INSTANCE_TABLE_H_
#define NATFWT_FACADE_RUNTIME_INSTANCE_TABLE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "cpnatfwt.h"

namespace natfwt::cp {

class Instance;

class InstanceTable {
 public:
  // Slots at most: handles and completion contexts reserve 24 bits for them.
  static constexpr uint32_t kMaxSlots = 1u << 16;

  static InstanceTable& Global();

  // Stores `instance` and returns its new handle. kResourceExhausted when all
  // slots are taken.
  absl::StatusOr<CPNATFWT_PROVIDER_INSTANCE> Add(
      std::shared_ptr<Instance> instance);

  // The instance named by `handle`, or nullptr for NULL, stale or unknown
  // handles.
  std::shared_ptr<Instance> Find(CPNATFWT_PROVIDER_INSTANCE handle) const;

  // The instance in `slot` whatever its generation (for completion routing).
  std::shared_ptr<Instance> FindBySlot(uint32_t slot) const;

  // Removes the instance named by `handle` and returns it (nullptr when the
  // handle is not valid). The handle is invalid from then on.
  std::shared_ptr<Instance> Remove(CPNATFWT_PROVIDER_INSTANCE handle);

  // Decodes the slot number of a handle (no validity check).
  static uint32_t SlotOf(CPNATFWT_PROVIDER_INSTANCE handle);

  size_t size() const;

 private:
  struct Slot {
    uint32_t generation = 1;
    std::shared_ptr<Instance> instance;
  };
  bool Decode(CPNATFWT_PROVIDER_INSTANCE handle, uint32_t* slot,
              uint32_t* generation) const;

  mutable absl::Mutex mutex_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mutex_);
  std::vector<uint32_t> free_ ABSL_GUARDED_BY(mutex_);
  size_t used_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_RUNTIME_INSTANCE_TABLE_H_
