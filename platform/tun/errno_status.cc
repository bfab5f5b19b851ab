// Copyright 2026 The natfwt Authors.

#include "platform/tun/errno_status.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace natfwt::tun {
namespace {

absl::StatusCode CodeFor(int error) {
  switch (error) {
    case EPERM:
    case EACCES:
      return absl::StatusCode::kPermissionDenied;
    case ENOENT:
    case ENODEV:
    case ENXIO:
    case EIO:
    case EBADFD:
    case ENETDOWN:
    case ENETUNREACH:
    case EHOSTUNREACH:
      return absl::StatusCode::kUnavailable;
    case EBUSY:
    case EEXIST:
      return absl::StatusCode::kAlreadyExists;
    case EINVAL:
    case ERANGE:
    case EAFNOSUPPORT:
    case EMSGSIZE:
      return absl::StatusCode::kInvalidArgument;
    case EADDRNOTAVAIL:
    case ESRCH:
      return absl::StatusCode::kNotFound;
    case EAGAIN:
    case ENOBUFS:
    case ENOMEM:
      return absl::StatusCode::kResourceExhausted;
    case EOPNOTSUPP:
      return absl::StatusCode::kUnimplemented;
    default:
      return absl::StatusCode::kInternal;
  }
}

}  // namespace

absl::Status MapErrno(int error, absl::string_view call) {
  return absl::Status(CodeFor(error),
                      absl::StrCat(call, ": ", std::strerror(error)));
}

}  // namespace natfwt::tun
