// Copyright 2026 The natfwt Authors.
//
// The NFQUEUE shim where it cannot be built (not Linux, or no
// libnetfilter_queue): RunShim returns kUnimplemented, and labs needing
// delay or loss must use netem.

#include "tools/lab/shim.h"

namespace natfwt::lab {

absl::Status RunShim(const ShimOptions&) {
  return absl::UnimplementedError(
      "the NFQUEUE shim was built without libnetfilter_queue (Linux only; "
      "Debian package libnetfilter-queue-dev)");
}

}  // namespace natfwt::lab
