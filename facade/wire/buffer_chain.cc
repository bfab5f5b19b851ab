// Copyright 2026 The natfwt Authors.

#include "facade/wire/buffer_chain.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace natfwt::cp {
namespace {

// Called when a chain has more than kMaxChainSegments segments: `extra` is
// segment number kMaxChainSegments. A chain of at most that many distinct
// segments that loops must revisit one of them by then.
bool IsCycle(const std::array<const CPNATFWT_BUFFER*, kMaxChainSegments>& seen,
             const CPNATFWT_BUFFER* extra) {
  return std::find(seen.begin(), seen.end(), extra) != seen.end();
}

absl::Status TooManySegments(
    const std::array<const CPNATFWT_BUFFER*, kMaxChainSegments>& seen,
    const CPNATFWT_BUFFER* extra) {
  if (IsCycle(seen, extra)) {
    return absl::InvalidArgumentError(
        "buffer chain loops back on itself (segment next pointers form a "
        "cycle)");
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "buffer chain has more than ", kMaxChainSegments, " segments"));
}

}  // namespace

absl::StatusOr<size_t> ChainLength(const CPNATFWT_BUFFER* chain,
                                   size_t max_bytes) {
  if (chain == nullptr)
    return absl::InvalidArgumentError("buffer chain is NULL");
  std::array<const CPNATFWT_BUFFER*, kMaxChainSegments> seen{};
  size_t total = 0;
  size_t index = 0;
  for (const CPNATFWT_BUFFER* segment = chain; segment != nullptr;
       segment = segment->next, ++index) {
    if (index == kMaxChainSegments) return TooManySegments(seen, segment);
    seen[index] = segment;
    if (segment->size != 0 && segment->buffer == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("buffer chain segment ",
                                                     index,
                                                     " has a NULL buffer "
                                                     "and size ",
                                                     segment->size));
    }
    if (segment->size > max_bytes - total) {
      return absl::InvalidArgumentError(absl::StrCat(
          "buffer chain holds more than ", max_bytes, " bytes (",
          uint64_t{total} + segment->size, " after segment ", index, ")"));
    }
    total += segment->size;
  }
  if (total == 0) {
    return absl::InvalidArgumentError("buffer chain holds no bytes");
  }
  return total;
}

size_t CopyChain(const CPNATFWT_BUFFER* chain, absl::Span<uint8_t> out) {
  size_t copied = 0;
  size_t index = 0;
  for (const CPNATFWT_BUFFER* segment = chain;
       segment != nullptr && index < kMaxChainSegments && copied < out.size();
       segment = segment->next, ++index) {
    if (segment->size == 0) continue;
    if (segment->buffer == nullptr) break;
    const size_t n = std::min<size_t>(segment->size, out.size() - copied);
    if (n > 0) std::memcpy(out.data() + copied, segment->buffer, n);
    copied += n;
  }
  return copied;
}

SingleSegmentChain::SingleSegmentChain(absl::Span<uint8_t> packet)
    : segment_{nullptr, static_cast<ULONG>(packet.size()), packet.data()} {}

}  // namespace natfwt::cp
