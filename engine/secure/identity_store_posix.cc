// Copyright 2026 The natfwt Authors.
//
// POSIX implementation of identity_store.h (Linux, the BSDs, macOS): the
// identity's strict policy (owner only, no group/other access) on top of the
// shared mechanism in platform/sys/private_files.h.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/secure/identity_store.h"
#include "platform/base/status_macros.h"
#include "platform/sys/private_files.h"

namespace natfwt::secure::identity_store {
namespace {

std::string ModeText(uint32_t mode) {
  return absl::StrFormat("%04o", mode & 07777);
}

// Refuses a directory owned by someone else or writable by group or others.
absl::Status CheckDirectory(const std::string& directory) {
  NATFWT_ASSIGN_OR_RETURN(const sys::FileInfo info, sys::StatPath(directory));
  const uint32_t uid = sys::CurrentUserId();
  if (info.owner_uid != uid) {
    return absl::FailedPreconditionError(absl::StrCat(
        "identity directory ", directory, " belongs to uid ", info.owner_uid,
        ", not to the current user (uid ", uid, ")"));
  }
  if ((info.mode & 022) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "identity directory ", directory, " has mode ", ModeText(info.mode),
        "; group or others could replace the identity (run: chmod 700 ",
        directory, ")"));
  }
  return absl::OkStatus();
}

// Refuses an identity file owned by someone else or with any group or other
// permission bit.
absl::Status CheckFile(const sys::FileInfo& info, const std::string& path) {
  const uint32_t uid = sys::CurrentUserId();
  if (info.owner_uid != uid) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " belongs to uid ", info.owner_uid,
                     ", not to the current user (uid ", uid, ")"));
  }
  if ((info.mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " has mode ", ModeText(info.mode),
        "; a private key must be accessible to its owner only (run: "
        "chmod 600 ",
        path, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PreparePrivateDirectory(const std::string& directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("identity directory path is empty");
  }
  NATFWT_RETURN_IF_ERROR(sys::MakePrivateDirectories(directory));
  return CheckDirectory(directory);
}

absl::StatusOr<std::optional<std::string>> ReadPrivateFile(
    const std::string& path, size_t max_bytes) {
  return sys::ReadFileIfExists(
      path, max_bytes, "an identity file",
      [&path](const sys::FileInfo& info) { return CheckFile(info, path); });
}

absl::Status CreatePrivateFile(const std::string& path,
                               absl::string_view contents) {
  return sys::CreateFileExclusively(path, contents);
}

}  // namespace natfwt::secure::identity_store
