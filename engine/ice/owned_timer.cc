// Copyright 2026 The natfwt Authors.

#include "engine/ice/owned_timer.h"

#include <algorithm>
#include <utility>

namespace natfwt::ice {

void OwnedTimer::Start(GMainContext* context, absl::Duration delay,
                       absl::AnyInvocable<void() &&> fn) {
  Cancel();
  const int64_t ms =
      std::clamp<int64_t>(absl::ToInt64Milliseconds(delay), 0, G_MAXUINT);
  source_ = g_timeout_source_new(static_cast<guint>(ms));
  fn_ = std::move(fn);
  g_source_set_callback(source_, &OwnedTimer::Fire, this, nullptr);
  g_source_attach(source_, context);
}

void OwnedTimer::Cancel() {
  if (source_ == nullptr) return;
  g_source_destroy(source_);
  g_source_unref(source_);
  source_ = nullptr;
  fn_ = nullptr;
}

gboolean OwnedTimer::Fire(gpointer data) {
  auto* timer = static_cast<OwnedTimer*>(data);
  // GLib holds its own reference while dispatching; drop ours and forget the
  // source before running `fn`, which may restart or destroy the timer.
  g_source_unref(timer->source_);
  timer->source_ = nullptr;
  absl::AnyInvocable<void()&&> fn = std::move(timer->fn_);
  std::move(fn)();
  return G_SOURCE_REMOVE;
}

}  // namespace natfwt::ice
