// Copyright 2026 The natfwt Authors.
//
// store_file.h on systems without an implementation (Windows would use
// CreateFileW/LockFileEx/ReplaceFileW/FlushFileBuffers: not written yet).

#include "facade/identity/store_file.h"

namespace natfwt::cp::store_file {
namespace {

absl::Status Unimplemented() {
  return absl::UnimplementedError(
      "the association store has no file-system backend on this system");
}

}  // namespace

absl::Status EnsurePrivateDirectory(const std::string&) {
  return Unimplemented();
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(const std::string&,
                                                            size_t) {
  return Unimplemented();
}

absl::Status ReplaceFileAtomically(const std::string&, absl::string_view) {
  return Unimplemented();
}

absl::StatusOr<FileLock> FileLock::Acquire(const std::string&, Mode) {
  return Unimplemented();
}

FileLock::~FileLock() = default;

}  // namespace natfwt::cp::store_file
