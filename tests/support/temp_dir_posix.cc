// Copyright 2026 The natfwt Authors.
//
// TempDir::Create on POSIX: mkdtemp(3) under $TMPDIR (or /tmp), mode 0700.

#include <stdlib.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "tests/support/temp_dir.h"

namespace natfwt::testing {

absl::StatusOr<TempDir> TempDir::Create(absl::string_view tag) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(base && *base ? base : "/tmp", "/natfwt-", tag, "-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp(", pattern, "): ", std::strerror(errno)));
  }
  return TempDir(std::move(pattern));
}

}  // namespace natfwt::testing
