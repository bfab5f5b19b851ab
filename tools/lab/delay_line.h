// Copyright 2026 The natfwt Authors.
//
// DelayLine: the decision core of the NFQUEUE shim (shim.h), free of sockets
// and clocks so unit tests drive it with made-up times.
//
// Each queued packet is admitted with its NFQUEUE packet ID: it is either
// dropped (with probability loss_pct / 100, decided by a seeded PRNG) or
// held until now + delay. Because the delay is the same for every packet,
// release times are non-decreasing in arrival order, so a FIFO is the timer
// queue (O(1) per packet; no heap needed), and the packets due at a moment
// are a prefix of it. ReleaseDue returns the highest due packet ID, which
// the shim passes to one batch verdict (NFQA_VERDICT_BATCH accepts every
// queued packet with an ID up to it, including any whose notification the
// kernel could not deliver when the socket buffer overflowed).
//
// Thread-safety: not thread-safe; the shim uses it from one thread.

#ifndef NATFWT_TOOLS_LAB_DELAY_LINE_H_
#define NATFWT_TOOLS_LAB_DELAY_LINE_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>

namespace natfwt::lab {

class DelayLine {
 public:
  using Clock = std::chrono::steady_clock;

  // `delay` >= 0; `loss_pct` in 0..100; `seed` makes loss reproducible.
  DelayLine(Clock::duration delay, double loss_pct, uint64_t seed);

  enum class Decision { kDrop, kHold };
  // Admits packet `id` arriving at `now`.
  Decision Admit(uint32_t id, Clock::time_point now);

  // Removes every held packet due at `now` (release time <= now) and returns
  // the last one's ID; nullopt when none is due.
  std::optional<uint32_t> ReleaseDue(Clock::time_point now);

  // When the oldest held packet is due; nullopt when nothing is held.
  std::optional<Clock::time_point> NextRelease() const;

  // Removes every held packet and returns the last ID (for shutdown).
  std::optional<uint32_t> ReleaseAll();

  size_t held() const { return held_.size(); }
  uint64_t dropped() const { return dropped_; }
  uint64_t admitted() const { return admitted_; }

 private:
  struct Held {
    uint32_t id;
    Clock::time_point release;
  };
  Clock::duration delay_;
  std::bernoulli_distribution loss_;
  std::mt19937_64 random_;
  std::deque<Held> held_;
  uint64_t dropped_ = 0;
  uint64_t admitted_ = 0;
};

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_DELAY_LINE_H_
