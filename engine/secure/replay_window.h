// Copyright 2026 The natfwt Authors.
//
// ReplayWindow: anti-replay for 64-bit packet counters (pure; no I/O, no
// clock, no allocation).
//
// The design is RFC 6479's ("IPsec Anti-Replay Algorithm without Bit
// Shifting"): the window is a ring of 64-bit words instead of one long
// bitmap that is shifted on every new packet. A counter's bit lives in word
// (counter / 64) mod kRingWords at bit (counter mod 64). When the highest
// counter moves forward, only the words it moves into are cleared; nothing
// is ever shifted, so advancing by one packet costs one test.
//
//   ring (kRingWords = 33 words, 2112 bits)
//   +--------+--------+-- ... --+--------+
//   | word 0 | word 1 |         | word 32|   word index = (counter/64) % 33
//   +--------+--------+-- ... --+--------+
//                ^ highest accepted counter's word; the 32 words behind it
//                  (mod 33) hold the older part of the window.
//
// The ring has one word more than the window needs (RFC 6479 §2 keeps a
// spare block so a whole block can be cleared at once), which makes the
// window exactly kWindowSize = 2048 counters: a counter c is
//
//   * kFresh    if nothing was accepted yet, c is above the highest accepted
//               counter h, or h - c < 2048 and c was not accepted before;
//   * kTooOld   if h - c >= 2048 (it cannot be told from a replay);
//   * kReplayed if h - c < 2048 and c was accepted before.
//
// 2048 is an implementation choice (RFC 6479 §2 suggests at least 1024 for
// high-speed links; a 2048-packet burst reordered by multipath or a queue
// is still accepted). Counter 2^64 - 1 is never fresh (it has no successor
// to store as "highest + 1").
//
// Usage: Check() before authenticating a packet (cheap reject), Accept()
// only after it authenticated, so forged packets cannot move the window.
//
// Thread-safety: none; one thread (the receive path) owns a window.

#ifndef NATFWT_ENGINE_SECURE_REPLAY_WINDOW_H_
#define NATFWT_ENGINE_SECURE_REPLAY_WINDOW_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace natfwt::secure {

class ReplayWindow {
 public:
  static constexpr uint64_t kWindowSize = 2048;

  enum class Verdict : uint8_t { kFresh, kReplayed, kTooOld };

  // An empty window: every counter but 2^64 - 1 is fresh.
  ReplayWindow() = default;

  // Classifies `counter` without changing the window.
  Verdict Check(uint64_t counter) const;

  // Records `counter` as received. Counters Check() does not call fresh are
  // ignored (a replay is already recorded; a too-old one cannot be).
  void Accept(uint64_t counter);

  // Forgets everything (a new key epoch starts at counter 0).
  void Reset();

  // The highest accepted counter, if any.
  std::optional<uint64_t> highest() const;

 private:
  static constexpr uint64_t kWordBits = 64;
  static constexpr uint64_t kRingWords = kWindowSize / kWordBits + 1;

  static size_t WordIndex(uint64_t counter) {
    return static_cast<size_t>((counter / kWordBits) % kRingWords);
  }
  static uint64_t BitMask(uint64_t counter) {
    return uint64_t{1} << (counter % kWordBits);
  }
  // Moves the highest counter up to `counter`, clearing the words between.
  void AdvanceTo(uint64_t counter);

  uint64_t next_ = 0;  // Highest accepted counter + 1; 0 when none yet.
  std::array<uint64_t, kRingWords> ring_{};
};

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_REPLAY_WINDOW_H_
