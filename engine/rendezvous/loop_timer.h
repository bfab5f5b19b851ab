// Copyright 2026 The natfwt Authors.
//
// LoopTimer: wakes a poll loop (through its Waker) when an injected Clock
// reaches a deadline.
//
// The rendezvous server and client run poll(2) loops whose timeouts are
// computed from Clock::Now(). With the real clock that is all it takes.
// With a FakeClock, time jumps when a test calls Advance(), which poll
// cannot see; so the loop also arms a Clock timer at its next deadline,
// and the timer wakes it. (With RealClock the timer is skipped: the poll
// timeout already does the job.)
//
// Thread-safety: ArmAt() and the destructor on the loop's thread; the
// timer callback may run on any thread, even while the LoopTimer is being
// destroyed (it then does nothing).

#ifndef NATFWT_ENGINE_RENDEZVOUS_LOOP_TIMER_H_
#define NATFWT_ENGINE_RENDEZVOUS_LOOP_TIMER_H_

#include <memory>

#include "absl/time/time.h"
#include "engine/rendezvous/tcp_socket.h"
#include "platform/base/clock.h"

namespace natfwt::rendezvous {

class LoopTimer {
 public:
  // `clock` and `waker` must outlive this object.
  LoopTimer(Clock* clock, const Waker* waker);
  ~LoopTimer();
  LoopTimer(const LoopTimer&) = delete;
  LoopTimer& operator=(const LoopTimer&) = delete;

  // Makes sure the loop is woken at `deadline` (replacing an earlier
  // arming at another time). absl::InfiniteFuture() disarms.
  void ArmAt(absl::Time deadline);

 private:
  struct Shared;

  Clock* clock_;
  std::shared_ptr<Shared> shared_;
  bool real_clock_;
  TimerId timer_ = 0;
  absl::Time armed_ = absl::InfiniteFuture();
};

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_LOOP_TIMER_H_
