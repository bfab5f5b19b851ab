// Copyright 2026 The natfwt Authors.
//
// The one place where platform/tun turns an errno value into an
// absl::Status (style C5: errno mapped in one place).
//
// Thread-safety: pure function.

#ifndef NATFWT_PLATFORM_TUN_ERRNO_STATUS_H_
#define NATFWT_PLATFORM_TUN_ERRNO_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace natfwt::tun {

// Returns a Status whose message is "<call>: <errno text>" and whose code is
//   EPERM, EACCES                        -> kPermissionDenied
//   ENOENT, ENODEV, ENXIO, EIO, EBADFD,
//   ENETDOWN, ENETUNREACH, EHOSTUNREACH  -> kUnavailable (no device / gone,
//                                           no route)
//   EBUSY, EEXIST                        -> kAlreadyExists
//   EINVAL, ERANGE, EAFNOSUPPORT,
//   EMSGSIZE                             -> kInvalidArgument
//   EADDRNOTAVAIL, ESRCH                 -> kNotFound (no such address/route)
//   EAGAIN, ENOBUFS, ENOMEM              -> kResourceExhausted
//   EOPNOTSUPP                           -> kUnimplemented
//   anything else                        -> kInternal
// `error` must be non-zero. (absl::ErrnoToStatus maps differently, e.g.
// EBUSY to kUnavailable, which would not fit TUNSETIFF.)
absl::Status MapErrno(int error, absl::string_view call);

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_ERRNO_STATUS_H_
