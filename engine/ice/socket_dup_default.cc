// Copyright 2026 The natfwt Authors.

#include "engine/ice/socket_dup.h"

namespace natfwt::ice {

absl::StatusOr<int> DuplicateSocket(int /*fd*/) {
  return absl::UnimplementedError(
      "socket duplication is not implemented on this platform");
}

}  // namespace natfwt::ice
