// Copyright 2026 The natfwt Authors.
//
// LoopTimer: the callback holds the shared state, never the LoopTimer, so a
// timer that fires during destruction finds the waker gone and returns.

#include "engine/rendezvous/loop_timer.h"

#include "absl/synchronization/mutex.h"

namespace natfwt::rendezvous {

struct LoopTimer::Shared {
  absl::Mutex mutex;
  const Waker* waker ABSL_GUARDED_BY(mutex);
};

LoopTimer::LoopTimer(Clock* clock, const Waker* waker)
    : clock_(clock),
      shared_(std::make_shared<Shared>()),
      real_clock_(clock == &RealClock::Get()) {
  absl::MutexLock lock(&shared_->mutex);
  shared_->waker = waker;
}

LoopTimer::~LoopTimer() {
  if (timer_ != 0) clock_->Cancel(timer_);
  absl::MutexLock lock(&shared_->mutex);
  shared_->waker = nullptr;
}

void LoopTimer::ArmAt(absl::Time deadline) {
  if (real_clock_ || deadline == armed_) return;
  if (timer_ != 0) clock_->Cancel(timer_);
  timer_ = 0;
  armed_ = deadline;
  if (deadline == absl::InfiniteFuture()) return;
  timer_ =
      clock_->CallAfter(deadline - clock_->Now(), [shared = shared_]() mutable {
        absl::MutexLock lock(&shared->mutex);
        if (shared->waker != nullptr) shared->waker->Wake();
      });
}

}  // namespace natfwt::rendezvous
