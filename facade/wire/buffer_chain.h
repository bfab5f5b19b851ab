// Copyright 2026 The natfwt Authors.
//
// Helpers over CPNATFWT_BUFFER chains (spec section 3.5). Chains handed in by
// providers are untrusted: every segment pointer and size is checked before a
// byte is read, and the walk is bounded so a looping chain cannot hang the
// runtime.
//
//   NATFWT_ASSIGN_OR_RETURN(size_t length, ChainLength(chain, mtu));
//   std::array<uint8_t, kMaxMtu> packet;
//   CopyChain(chain, absl::MakeSpan(packet).first(length));
//
// Thread-safety: pure functions over the chain; the caller keeps the chain
// alive and unmodified during the call.

#ifndef NATFWT_FACADE_WIRE_BUFFER_CHAIN_H_
#define NATFWT_FACADE_WIRE_BUFFER_CHAIN_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "cpnatfwt.h"

namespace natfwt::cp {

// Implementation choice: a chain carries one IP packet (spec section 7.1), so
// 64 segments is far beyond any sane scatter-gather list and bounds the walk.
inline constexpr size_t kMaxChainSegments = 64;

// Validates `chain` and returns the total number of bytes it holds.
// Zero-length segments are allowed and skipped (their buffer may be NULL).
// Errors, all kInvalidArgument with the offending segment's index:
//   - `chain` is NULL;
//   - a segment has a NULL buffer and a nonzero size;
//   - the chain has more than kMaxChainSegments segments, or loops back on
//     itself (reported as a cycle);
//   - the total is 0, or more than `max_bytes`.
absl::StatusOr<size_t> ChainLength(const CPNATFWT_BUFFER* chain,
                                   size_t max_bytes);

// Gathers the chain's bytes into `out`, in order, and returns how many were
// copied: min(chain total, out.size()). Call ChainLength first; on an
// unvalidated chain this still stops at a NULL buffer and after
// kMaxChainSegments segments, but cannot detect dangling pointers.
size_t CopyChain(const CPNATFWT_BUFFER* chain, absl::Span<uint8_t> out);

// A one-segment chain over contiguous bytes, for handing a packet to a
// provider's SEND_BUFFERS. Non-owning: `packet` must outlive the chain, and
// the object must not be moved while a provider holds `chain()`.
class SingleSegmentChain {
 public:
  // `packet` must be at most 4 GiB - 1 bytes (ULONG size; always true for an
  // IP packet).
  explicit SingleSegmentChain(absl::Span<uint8_t> packet);
  SingleSegmentChain(const SingleSegmentChain&) = delete;
  SingleSegmentChain& operator=(const SingleSegmentChain&) = delete;

  CPNATFWT_BUFFER* chain() { return &segment_; }

 private:
  CPNATFWT_BUFFER segment_;
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_WIRE_BUFFER_CHAIN_H_
