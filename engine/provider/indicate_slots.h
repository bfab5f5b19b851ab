// Copyright 2026 The natfwt Authors.
//
// IndicateSlots: the buffers a provider lends the CP while an indication is
// pended. CPNatfwtIndicateReceivedBuffers with a completion routine lets the
// CP keep the buffer chain and both transport-ID structs until it calls the
// routine (spec 4.5, 7.2); natfwt then writes many packets to the interface
// at once (batched, and coalesced into GSO super-packets on Linux). The
// packets the node hands over live only for the call, so each is copied into
// a slot that holds everything the CP may keep: the data, its one-segment
// chain and both transport IDs.
//
// A fixed number of slots is allocated once; Acquire() and Release() are
// O(1) under one mutex, and no call allocates. When none is free the caller
// indicates without a completion routine (the CP copies during the call).
//
//   IndicateSlots::Slot* slot = slots.Acquire(packet, local, remote);
//   if (slot != nullptr) api.indicate(instance, &slot->local, &slot->remote,
//                                     &slot->chain, slot, &Done);
//   ... in Done (or when the call did not pend): slots.Release(slot);
//
// Thread-safety: every method may be called from any thread.

#ifndef NATFWT_ENGINE_PROVIDER_INDICATE_SLOTS_H_
#define NATFWT_ENGINE_PROVIDER_INDICATE_SLOTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "cpnatfwt.h"

namespace natfwt::provider {

class IndicateSlots {
 public:
  // Largest packet a slot holds (implementation choice: above any MTU the CP
  // is configured with in practice; larger packets take the copying path).
  static constexpr size_t kSlotBytes = 2048;

  struct Slot {
    CPNATFWT_BUFFER chain{};
    CPNATFWT_TRANSPORT_ID local{};
    CPNATFWT_TRANSPORT_ID remote{};
    BYTE local_bytes[16] = {};
    BYTE remote_bytes[16] = {};
    BYTE data[kSlotBytes] = {};
  };

  // `count` slots (at least 1).
  explicit IndicateSlots(size_t count);
  IndicateSlots(const IndicateSlots&) = delete;
  IndicateSlots& operator=(const IndicateSlots&) = delete;

  // A free slot filled with copies of `packet` and the transport IDs (4 or
  // 16 bytes each), its chain and ID structs pointing into it. When every
  // slot is lent out, waits up to `wait` for one to come back (the CP's
  // writer is behind: the caller is slowed down instead of overtaking or
  // dropping what is queued). nullptr when the packet or an ID does not fit
  // (at once), or no slot came back in time.
  Slot* Acquire(absl::Span<const uint8_t> packet,
                absl::Span<const uint8_t> local,
                absl::Span<const uint8_t> remote,
                absl::Duration wait = absl::ZeroDuration());
  // Takes a slot back. A pointer that is not one of this pool's lent slots
  // is ignored and counted (a CP bug must not corrupt the pool).
  void Release(const void* slot);

  // Waits until every slot is back, at most `timeout`; false on timeout.
  bool WaitAllReturned(absl::Duration timeout);

  size_t lent() const;
  uint64_t bad_releases() const;

 private:
  bool AnyFree() const ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
    return !free_.empty();
  }
  bool AllReturned() const ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
    return free_.size() == count_;
  }

  // One array, so a pointer the CP hands back is checked by address.
  const size_t count_;
  const std::unique_ptr<Slot[]> slots_;
  mutable absl::Mutex mutex_;
  std::vector<uint32_t> free_ ABSL_GUARDED_BY(mutex_);
  std::vector<bool> lent_ ABSL_GUARDED_BY(mutex_);
  uint64_t bad_releases_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_INDICATE_SLOTS_H_
