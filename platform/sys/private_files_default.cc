// Copyright 2026 The natfwt Authors.
//
// private_files.h on systems without an implementation yet (Windows needs
// ACLs instead of modes, CreateFileW/ReplaceFileW/FlushFileBuffers): every
// file operation is kUnimplemented.

#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/sys/private_files.h"

namespace natfwt::sys {
namespace {

absl::Status Unimplemented() {
  return absl::UnimplementedError(
      "private files are not implemented on this operating system");
}

}  // namespace

absl::Status ErrnoStatus(int error, absl::string_view call,
                         absl::string_view path) {
  return absl::InternalError(
      absl::StrCat(call, "(", path, "): ", std::strerror(error)));
}

uint32_t CurrentUserId() { return 0; }

absl::StatusOr<FileInfo> StatPath(const std::string&) {
  return Unimplemented();
}

absl::Status MakePrivateDirectories(const std::string&) {
  return Unimplemented();
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(const std::string&,
                                                            size_t,
                                                            absl::string_view,
                                                            FileCheck) {
  return Unimplemented();
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(const std::string&,
                                                            size_t,
                                                            absl::string_view) {
  return Unimplemented();
}

absl::Status ReplaceFileAtomically(const std::string&, absl::string_view) {
  return Unimplemented();
}

absl::Status CreateFileExclusively(const std::string&, absl::string_view) {
  return Unimplemented();
}

absl::Status SyncDirectory(const std::string&) { return Unimplemented(); }

}  // namespace natfwt::sys
