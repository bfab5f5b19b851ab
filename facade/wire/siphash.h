// Copyright 2026 The natfwt Authors.
//
// SipHash-2-4, the keyed 64-bit pseudo-random function of Aumasson and
// Bernstein ("SipHash: a fast short-input PRF", INDOCRYPT 2012,
// https://www.aumasson.jp/siphash/siphash.pdf). Used to derive flow IDs that
// a peer cannot predict or collide on purpose without the session key.
//
// Thread-safety: pure; callable from any thread.

#ifndef NATFWT_FACADE_WIRE_SIPHASH_H_
#define NATFWT_FACADE_WIRE_SIPHASH_H_

#include <cstdint>

#include "absl/types/span.h"

namespace natfwt::cp {

// The 128-bit key as two little-endian 64-bit words: k0 is key bytes 0-7,
// k1 bytes 8-15 (the paper's convention).
struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

// SipHash-2-4 of `message` under `key` (2 compression rounds, 4
// finalisation rounds). Matches the reference implementation's vectors.
uint64_t SipHash24(const SipKey& key, absl::Span<const uint8_t> message);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_WIRE_SIPHASH_H_
