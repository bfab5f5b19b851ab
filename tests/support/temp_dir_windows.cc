// Copyright 2026 The natfwt Authors.
//
// TempDir::Create on Windows: a new directory "natfwt-<tag>-<random>" in the
// temp directory (GetTempPathW, i.e. %TMP% or %TEMP%), with '/' separators
// so File() joins names the same way on both systems.

#include <filesystem>
#include <random>
#include <system_error>

#include "absl/strings/str_format.h"
#include "tests/support/temp_dir.h"

namespace natfwt::testing {

absl::StatusOr<TempDir> TempDir::Create(absl::string_view tag) {
  std::error_code error;
  const std::filesystem::path base =
      std::filesystem::temp_directory_path(error);
  if (error) {
    return absl::InternalError("temp_directory_path: " + error.message());
  }
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::filesystem::path path =
        base / absl::StrFormat("natfwt-%s-%08x", tag, random());
    if (std::filesystem::create_directory(path, error)) {
      return TempDir(path.generic_string());
    }
    if (error) {
      return absl::InternalError(absl::StrFormat(
          "create_directory(%s): %s", path.generic_string(), error.message()));
    }
  }
  return absl::InternalError("no unused temp directory name in 16 attempts");
}

}  // namespace natfwt::testing
