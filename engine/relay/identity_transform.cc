// Copyright 2026 The natfwt Authors.

#include "engine/relay/identity_transform.h"

#include "engine/relay/demux.h"

namespace natfwt::relay {

void IdentityTransform::SealBatch(absl::Span<PacketSpan> packets,
                                  absl::Span<Verdict> verdicts) {
  for (size_t i = 0; i < packets.size(); ++i) {
    if (!packets[i].Prepend(1)) {
      verdicts[i] = Verdict::kNoRoom;
      continue;
    }
    packets[i].data[0] = kNatfwtDataFirst;
    verdicts[i] = Verdict::kPass;
  }
}

void IdentityTransform::OpenBatch(absl::Span<PacketSpan> packets,
                                  absl::Span<Verdict> verdicts) {
  for (size_t i = 0; i < packets.size(); ++i) {
    bool framed =
        packets[i].size >= 1 && packets[i].data[0] == kNatfwtDataFirst;
    verdicts[i] = framed && packets[i].TrimFront(1) ? Verdict::kPass
                                                    : Verdict::kMalformed;
  }
}

}  // namespace natfwt::relay
