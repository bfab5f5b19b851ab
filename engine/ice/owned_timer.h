// Copyright 2026 The natfwt Authors.
//
// OwnedTimer: a one-shot GLib timeout whose owner can cancel it, and which
// cancels itself when destroyed, so no callback outlives its owner and no
// GSource is left on the context. Internal to engine/ice.
//
// Thread-safety: create, use and destroy on the thread that iterates the
// context it is started on (the network thread).

#ifndef NATFWT_ENGINE_ICE_OWNED_TIMER_H_
#define NATFWT_ENGINE_ICE_OWNED_TIMER_H_

#include <glib.h>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"

namespace natfwt::ice {

class OwnedTimer {
 public:
  OwnedTimer() = default;
  OwnedTimer(const OwnedTimer&) = delete;
  OwnedTimer& operator=(const OwnedTimer&) = delete;
  ~OwnedTimer() { Cancel(); }

  // Runs `fn` once on `context` after `delay` (rounded to milliseconds;
  // zero runs it on the next iteration). Replaces a pending timer. `fn` may
  // restart or destroy this timer.
  void Start(GMainContext* context, absl::Duration delay,
             absl::AnyInvocable<void() &&> fn);
  // Drops the pending callback, if any.
  void Cancel();
  bool pending() const { return source_ != nullptr; }

 private:
  static gboolean Fire(gpointer data);

  GSource* source_ = nullptr;
  absl::AnyInvocable<void() &&> fn_;
};

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_OWNED_TIMER_H_
