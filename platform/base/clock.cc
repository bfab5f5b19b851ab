// Copyright 2026 The natfwt Authors.

#include "platform/base/clock.h"

#include <chrono>
#include <map>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace natfwt {

// A deadline-ordered map served by one detached thread.
class RealClock::Impl {
 public:
  TimerId Add(absl::Time deadline, absl::AnyInvocable<void() &&> fn) {
    absl::MutexLock lock(&mutex_);
    if (!started_) {
      started_ = true;
      std::thread([this] { Run(); }).detach();
    }
    TimerId id = ++last_id_;
    timers_.emplace(Key{deadline, id}, std::move(fn));
    changed_ = true;  // The new timer may be the earliest.
    return id;
  }

  bool Cancel(TimerId id) {
    absl::MutexLock lock(&mutex_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.id == id) {
        timers_.erase(it);
        return true;
      }
    }
    return false;
  }

 private:
  struct Key {
    absl::Time deadline;
    TimerId id;
    bool operator<(const Key& other) const {
      return deadline != other.deadline ? deadline < other.deadline
                                        : id < other.id;
    }
  };

  void Run() {
    absl::MutexLock lock(&mutex_);
    for (;;) {
      auto due = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return !timers_.empty() &&
               timers_.begin()->first.deadline <= RealClock::Get().Now();
      };
      absl::Duration wait = timers_.empty()
                                ? absl::Hours(1)
                                : timers_.begin()->first.deadline -
                                      RealClock::Get().Now();
      if (!due()) {
        // Wakes early on any insertion; the loop recomputes the deadline.
        mutex_.AwaitWithTimeout(absl::Condition(&changed_), wait);
        changed_ = false;
        continue;
      }
      auto node = timers_.extract(timers_.begin());
      mutex_.Unlock();
      std::move(node.mapped())();
      mutex_.Lock();
    }
  }

  absl::Mutex mutex_;
  bool started_ ABSL_GUARDED_BY(mutex_) = false;
  bool changed_ ABSL_GUARDED_BY(mutex_) = false;
  TimerId last_id_ ABSL_GUARDED_BY(mutex_) = 0;
  std::map<Key, absl::AnyInvocable<void() &&>> timers_ ABSL_GUARDED_BY(mutex_);
};

RealClock::RealClock() : impl_(new Impl) {}

RealClock& RealClock::Get() {
  static RealClock* clock = new RealClock;
  return *clock;
}

absl::Time RealClock::Now() const {
  auto since_boot = std::chrono::steady_clock::now().time_since_epoch();
  return absl::UnixEpoch() + absl::FromChrono(since_boot);
}

TimerId RealClock::CallAfter(absl::Duration delay,
                             absl::AnyInvocable<void() &&> fn) {
  if (delay < absl::ZeroDuration()) delay = absl::ZeroDuration();
  return impl_->Add(Now() + delay, std::move(fn));
}

bool RealClock::Cancel(TimerId id) { return impl_->Cancel(id); }

}  // namespace natfwt
