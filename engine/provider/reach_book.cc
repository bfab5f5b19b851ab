// Copyright 2026 The natfwt Authors.

#include "engine/provider/reach_book.h"

#include <utility>
#include <vector>

namespace natfwt::provider {

std::shared_ptr<ReachBook::Op> ReachBook::Begin(
    PVOID context, CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine,
    absl::Duration timeout) {
  auto op = std::make_shared<Op>();
  op->context = context;
  op->routine = routine;
  {
    absl::MutexLock lock(&mutex);
    pending.insert(op);
  }
  std::weak_ptr<ReachBook> weak = weak_from_this();
  std::weak_ptr<Op> weak_op = op;
  TimerId timer = clock.CallAfter(timeout, [weak, weak_op] {
    std::shared_ptr<ReachBook> book = weak.lock();
    std::shared_ptr<Op> expired = weak_op.lock();
    if (book == nullptr || expired == nullptr) return;
    book->Complete(expired, HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE),
                   Outcome::kTimeout);
  });
  op->timer.store(timer);
  // Completed before the timer id was stored: cancel it now.
  if (op->done.load()) clock.Cancel(timer);
  return op;
}

bool ReachBook::Complete(const std::shared_ptr<Op>& op, HRESULT status,
                         Outcome outcome) {
  if (op->done.exchange(true)) return false;
  TimerId timer = op->timer.load();
  if (timer != 0) clock.Cancel(timer);
  switch (outcome) {
    case Outcome::kReached:
      reached.fetch_add(1, std::memory_order_relaxed);
      break;
    case Outcome::kFailed:
      failed.fetch_add(1, std::memory_order_relaxed);
      break;
    case Outcome::kTimeout:
      timeouts.fetch_add(1, std::memory_order_relaxed);
      break;
    case Outcome::kAborted:
      aborted.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  // Keeps `op` alive through the call even when `op` refers to the set's
  // own element.
  std::shared_ptr<Op> keep = op;
  {
    absl::MutexLock lock(&mutex);
    pending.erase(keep);
  }
  keep->routine(keep->context, status);
  return true;
}

void ReachBook::AbortAll() {
  std::vector<std::shared_ptr<Op>> ops;
  {
    absl::MutexLock lock(&mutex);
    ops.assign(pending.begin(), pending.end());
  }
  for (const std::shared_ptr<Op>& op : ops) {
    Complete(op, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED),
             Outcome::kAborted);
  }
}

}  // namespace natfwt::provider
