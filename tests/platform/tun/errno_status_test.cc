// Copyright 2026 The natfwt Authors.

#include "platform/tun/errno_status.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::tun {
namespace {

using ::natfwt::testing::StatusIs;

struct Case {
  int error;
  absl::StatusCode code;
};

TEST(MapErrno, MapsTheDocumentedTable) {
  const Case cases[] = {
      {EPERM, absl::StatusCode::kPermissionDenied},
      {EACCES, absl::StatusCode::kPermissionDenied},
      {ENOENT, absl::StatusCode::kUnavailable},
      {ENODEV, absl::StatusCode::kUnavailable},
      {EBADFD, absl::StatusCode::kUnavailable},
      {EIO, absl::StatusCode::kUnavailable},
      {ENETUNREACH, absl::StatusCode::kUnavailable},
      {EBUSY, absl::StatusCode::kAlreadyExists},
      {EEXIST, absl::StatusCode::kAlreadyExists},
      {EINVAL, absl::StatusCode::kInvalidArgument},
      {ERANGE, absl::StatusCode::kInvalidArgument},
      {EADDRNOTAVAIL, absl::StatusCode::kNotFound},
      {ESRCH, absl::StatusCode::kNotFound},
      {EAGAIN, absl::StatusCode::kResourceExhausted},
      {ENOBUFS, absl::StatusCode::kResourceExhausted},
      {EOPNOTSUPP, absl::StatusCode::kUnimplemented},
      {ELOOP, absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    std::string expected = std::string("open x: ") + std::strerror(c.error);
    EXPECT_THAT(MapErrno(c.error, "open x"), StatusIs(c.code, expected))
        << c.error;
  }
}

}  // namespace
}  // namespace natfwt::tun
