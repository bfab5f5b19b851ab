// Copyright 2026 The natfwt Authors.
//
// The NFQUEUE delay/loss shim (`natfwt lab shim`), for kernels without netem.
// It runs in a lab's wan namespace, where an iptables rule sends every
// forwarded packet to its queue (server_commands.h), and delays each packet
// by delay_ms or drops it with probability loss_pct (DelayLine). Linux only
// (shim_linux.cc, libnetfilter_queue); elsewhere RunShim returns
// kUnimplemented.
//
// Queue setup: metadata-only copies (the shim never looks at payloads),
// queue length kShimQueueMaxLength, fail-open off (when the queue is full
// the kernel drops, so loss is never bypassed), GSO packets queued whole,
// an 8 MiB socket buffer. Verdicts: drops at once, accepts in batches from
// the FIFO timer queue; the loop sleeps in ppoll until the next packet or
// the next release time, never per packet.
//
// Thread-safety: RunShim blocks the calling thread until SIGTERM or SIGINT.

#ifndef NATFWT_TOOLS_LAB_SHIM_H_
#define NATFWT_TOOLS_LAB_SHIM_H_

#include <cstdint>

#include "absl/status/status.h"

namespace natfwt::lab {

struct ShimOptions {
  int queue = 0;
  int delay_ms = 0;
  double loss_pct = 0;
  uint64_t seed = 0;  // 0: a random seed.
};

// Binds the queue and processes packets until SIGTERM or SIGINT; then
// releases what it holds and returns OkStatus. Errors: kInternal naming the
// failing libnetfilter_queue call (e.g. the queue is bound by another
// process), kUnimplemented off Linux.
absl::Status RunShim(const ShimOptions& options);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_SHIM_H_
