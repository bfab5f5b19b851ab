// Copyright 2026 The natfwt Authors.

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/ice/socket_dup.h"

namespace natfwt::ice {

absl::StatusOr<int> DuplicateSocket(int fd) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    return absl::InternalError(
        absl::StrCat("fcntl(F_DUPFD_CLOEXEC): ", std::strerror(errno)));
  }
  return copy;
}

}  // namespace natfwt::ice
