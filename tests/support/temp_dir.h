// Copyright 2026 The natfwt Authors.
//
// TempDir: a fresh, private directory removed with everything in it when the
// object goes away.

#ifndef NATFWT_TESTS_SUPPORT_TEMP_DIR_H_
#define NATFWT_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace natfwt::testing {

class TempDir {
 public:
  // Creates "$TMPDIR/natfwt-<tag>-XXXXXX" (mode 0700).
  static absl::StatusOr<TempDir> Create(absl::string_view tag = "test");

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(absl::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace natfwt::testing

#endif  // NATFWT_TESTS_SUPPORT_TEMP_DIR_H_
