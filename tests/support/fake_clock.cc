// Copyright 2026 The natfwt Authors.

#include "tests/support/fake_clock.h"

namespace natfwt::testing {

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mutex_);
  return now_;
}

TimerId FakeClock::CallAfter(absl::Duration delay,
                             absl::AnyInvocable<void() &&> fn) {
  if (delay < absl::ZeroDuration()) delay = absl::ZeroDuration();
  absl::MutexLock lock(&mutex_);
  TimerId id = ++last_id_;
  timers_.emplace(Key{now_ + delay, id}, std::move(fn));
  return id;
}

bool FakeClock::Cancel(TimerId id) {
  absl::MutexLock lock(&mutex_);
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->first.id == id) {
      timers_.erase(it);
      return true;
    }
  }
  return false;
}

void FakeClock::Advance(absl::Duration delta) {
  mutex_.Lock();
  const absl::Time target = now_ + std::max(delta, absl::ZeroDuration());
  while (!timers_.empty() && timers_.begin()->first.deadline <= target) {
    auto node = timers_.extract(timers_.begin());
    now_ = std::max(now_, node.key().deadline);
    mutex_.Unlock();
    std::move(node.mapped())();
    mutex_.Lock();
  }
  now_ = target;
  mutex_.Unlock();
}

size_t FakeClock::PendingTimers() const {
  absl::MutexLock lock(&mutex_);
  return timers_.size();
}

}  // namespace natfwt::testing
