// Copyright 2026 The natfwt Authors.
//
// ReachBook: the REACH_TRANSPORT_ID operations the provider pended, so each
// completes exactly once (spec 5.0 rule 1) whichever comes first: the
// node's Connect() answer, the provider's timeout, or TERMINATE's abort.
// The book and its operations are shared with the Connect() callback and
// the timer, so a late answer (after TERMINATE, even after the provider is
// gone) finds its operation already completed and does nothing.
//
// Thread-safety: every method may be called from any thread; completion
// routines are called with no lock held.

#ifndef NATFWT_ENGINE_PROVIDER_REACH_BOOK_H_
#define NATFWT_ENGINE_PROVIDER_REACH_BOOK_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cpnatfwt.h"
#include "platform/base/clock.h"

namespace natfwt::provider {

struct ReachBook : public std::enable_shared_from_this<ReachBook> {
  // Why an operation completed (which counter it goes to).
  enum class Outcome { kReached, kFailed, kTimeout, kAborted };

  struct Op {
    PVOID context = nullptr;
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine = nullptr;
    std::atomic<bool> done{false};
    std::atomic<TimerId> timer{0};
  };

  // `clock` must outlive every timer (RealClock, or a test's clock that
  // outlives the provider).
  explicit ReachBook(Clock& clock) : clock(clock) {}

  // Records a pended REACH and arms its timeout, which completes it with
  // ERROR_HOST_UNREACHABLE.
  std::shared_ptr<Op> Begin(PVOID context,
                            CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine,
                            absl::Duration timeout);
  // Completes `op` with `status` unless it already was; returns whether
  // this call did.
  bool Complete(const std::shared_ptr<Op>& op, HRESULT status, Outcome outcome);
  // Completes every pending operation with ERROR_OPERATION_ABORTED.
  void AbortAll();

  Clock& clock;
  std::atomic<uint64_t> reached{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> aborted{0};

  absl::Mutex mutex;
  absl::flat_hash_set<std::shared_ptr<Op>> pending ABSL_GUARDED_BY(mutex);
};

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_REACH_BOOK_H_
