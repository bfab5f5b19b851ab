// Copyright 2026 The natfwt Authors.
//
// Duplicating a socket handle so an engine can keep using a socket libnice
// owns (the take-over of a direct path, see IceSession::SelectedSocket).
// One implementation per OS: socket_dup_posix.cc, socket_dup_default.cc.
//
// Thread-safety: any thread.

#ifndef NATFWT_ENGINE_ICE_SOCKET_DUP_H_
#define NATFWT_ENGINE_ICE_SOCKET_DUP_H_

#include "absl/status/statusor.h"

namespace natfwt::ice {

// A new descriptor for the socket `fd`, close-on-exec, owned by the caller.
// Errors: kInternal (dup failed, with errno text), kUnimplemented (platform
// without descriptor duplication).
absl::StatusOr<int> DuplicateSocket(int fd);

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_SOCKET_DUP_H_
