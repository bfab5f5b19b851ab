// Copyright 2026 The natfwt Authors.
//
// DelayLine: hold-or-drop decisions for the NFQUEUE shim.

#include "tools/lab/delay_line.h"

#include <algorithm>

namespace natfwt::lab {

DelayLine::DelayLine(Clock::duration delay, double loss_pct, uint64_t seed)
    : delay_(std::max(delay, Clock::duration::zero())),
      loss_(std::clamp(loss_pct, 0.0, 100.0) / 100.0),
      random_(seed) {}

DelayLine::Decision DelayLine::Admit(uint32_t id, Clock::time_point now) {
  ++admitted_;
  if (loss_.p() > 0 && loss_(random_)) {
    ++dropped_;
    return Decision::kDrop;
  }
  held_.push_back({id, now + delay_});
  return Decision::kHold;
}

std::optional<uint32_t> DelayLine::ReleaseDue(Clock::time_point now) {
  std::optional<uint32_t> last;
  while (!held_.empty() && held_.front().release <= now) {
    last = held_.front().id;
    held_.pop_front();
  }
  return last;
}

std::optional<DelayLine::Clock::time_point> DelayLine::NextRelease() const {
  if (held_.empty()) return std::nullopt;
  return held_.front().release;
}

std::optional<uint32_t> DelayLine::ReleaseAll() {
  if (held_.empty()) return std::nullopt;
  uint32_t last = held_.back().id;
  held_.clear();
  return last;
}

}  // namespace natfwt::lab
