// Copyright 2026 The natfwt Authors.
//
// The file-system operations the persistent Identity needs, one
// implementation per OS (identity_store_posix.cc; identity_store_default.cc
// returns kUnimplemented elsewhere). Internal to engine/secure.
//
//   * a private directory: created with mode 0700; an existing one must be
//     a directory owned by the effective user that group and others cannot
//     write (else they could swap the identity file);
//   * reading the identity file: it must be a regular file (symbolic links
//     are refused), owned by the effective user, with no group or other
//     permission bits;
//   * publishing a new file atomically without ever replacing one: a unique
//     temp file (mode 0600) is written and fsynced, then hard-linked to the
//     final name (link(2) fails instead of replacing), and the directory is
//     fsynced. Two processes creating an identity at once cannot both win.
//     On file systems without hard links, rename(2) is used after a fresh
//     existence check.
//
// Errors map errno in one place: EACCES/EPERM/EROFS -> kPermissionDenied,
// ENOENT -> kNotFound, ENOTDIR/ELOOP/EISDIR -> kFailedPrecondition,
// ENOSPC/EDQUOT/EMFILE/ENFILE/ENOMEM -> kResourceExhausted, anything else ->
// kInternal; each message names the call, the path and strerror().
//
// Thread-safety: stateless; safe from any thread.

#ifndef NATFWT_ENGINE_SECURE_IDENTITY_STORE_H_
#define NATFWT_ENGINE_SECURE_IDENTITY_STORE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::secure::identity_store {

// Creates `directory` (and missing parents) with mode 0700, or checks an
// existing one. Errors: kInvalidArgument for an empty path;
// kFailedPrecondition when it is not a directory, belongs to another user
// or is writable by group or others (the message says how to fix it); the
// errno mapping above.
[[nodiscard]] absl::Status PreparePrivateDirectory(
    const std::string& directory);

// Reads `path`; std::nullopt when it does not exist. Errors:
// kFailedPrecondition when it is a symbolic link or not a regular file,
// belongs to another user, or has any group/other permission bit (the
// message gives the mode and the chmod to run); kDataLoss when it is larger
// than `max_bytes`; the errno mapping above.
[[nodiscard]] absl::StatusOr<std::optional<std::string>> ReadPrivateFile(
    const std::string& path, size_t max_bytes);

// Creates `path` with `contents` and mode 0600 atomically (see above).
// Errors: kAlreadyExists when `path` exists (it is left untouched); the
// errno mapping above. No temp file is left behind on any error.
[[nodiscard]] absl::Status CreatePrivateFile(const std::string& path,
                                             absl::string_view contents);

}  // namespace natfwt::secure::identity_store

#endif  // NATFWT_ENGINE_SECURE_IDENTITY_STORE_H_
