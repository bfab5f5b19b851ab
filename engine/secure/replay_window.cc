// Copyright 2026 The natfwt Authors.

#include "engine/secure/replay_window.h"

#include <limits>

namespace natfwt::secure {

ReplayWindow::Verdict ReplayWindow::Check(uint64_t counter) const {
  if (counter == std::numeric_limits<uint64_t>::max()) return Verdict::kTooOld;
  if (counter >= next_) return Verdict::kFresh;
  if (next_ - 1 - counter >= kWindowSize) return Verdict::kTooOld;
  return (ring_[WordIndex(counter)] & BitMask(counter)) != 0
             ? Verdict::kReplayed
             : Verdict::kFresh;
}

void ReplayWindow::Accept(uint64_t counter) {
  if (Check(counter) != Verdict::kFresh) return;
  if (counter >= next_) AdvanceTo(counter);
  ring_[WordIndex(counter)] |= BitMask(counter);
}

void ReplayWindow::Reset() {
  next_ = 0;
  ring_.fill(0);
}

std::optional<uint64_t> ReplayWindow::highest() const {
  if (next_ == 0) return std::nullopt;
  return next_ - 1;
}

void ReplayWindow::AdvanceTo(uint64_t counter) {
  const uint64_t new_word = counter / kWordBits;
  if (next_ == 0 || new_word - (next_ - 1) / kWordBits >= kRingWords) {
    ring_.fill(0);
  } else {
    for (uint64_t word = (next_ - 1) / kWordBits + 1; word <= new_word;
         ++word) {
      ring_[word % kRingWords] = 0;
    }
  }
  next_ = counter + 1;
}

}  // namespace natfwt::secure
