// Copyright 2026 The natfwt Authors.
//
// Private files: the file-system mechanism shared by the stores that keep
// state on disk (engine/secure's identity, facade/identity's associations).
// One implementation per OS: private_files_posix.cc (Linux, the BSDs,
// macOS); private_files_default.cc returns kUnimplemented elsewhere.
//
//   * private directories: missing components are created with mode 0700
//     (like mkdir -p); existing ones are kept as they are;
//   * reading a small regular file that may not exist yet, never following
//     a symbolic link, with a size bound and a caller-supplied check of the
//     opened file's owner and mode made before any byte is read;
//   * writing a file durably: a temp file in the same directory with mode
//     exactly 0600 is written and fsynced, then either renamed over the
//     final name (ReplaceFileAtomically) or hard-linked to it so an existing
//     file is never replaced (CreateFileExclusively), and the directory is
//     fsynced. A crash leaves the old or the new content, never a mix.
//
// Policy (whether a group-writable directory or a readable file is an error,
// a warning or fine) stays with the callers: StatPath and the read check
// give them the facts.
//
// Errors map errno in one place (ErrnoStatus): EACCES/EPERM/EROFS ->
// kPermissionDenied, ENOENT -> kNotFound, ENOTDIR/ELOOP/EISDIR ->
// kFailedPrecondition, ENOSPC/EDQUOT/EMFILE/ENFILE/ENOMEM ->
// kResourceExhausted, anything else -> kInternal; every message names the
// call, the path and strerror(), and ELOOP adds "(symbolic links are
// refused)". On systems without an implementation every operation returns
// kUnimplemented.
//
// Thread-safety: stateless; every function is safe to call from any thread.

#ifndef NATFWT_PLATFORM_SYS_PRIVATE_FILES_H_
#define NATFWT_PLATFORM_SYS_PRIVATE_FILES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::sys {

// The Status for errno value `error` returned by the system call `call` on
// `path`, mapped as described above; the message is
// "<call>(<path>): <strerror>".
absl::Status ErrnoStatus(int error, absl::string_view call,
                         absl::string_view path);

// What the file system reports about a file or directory.
struct FileInfo {
  bool is_directory = false;
  bool is_regular = false;
  uint32_t owner_uid = 0;  // The owning user id.
  uint32_t mode = 0;       // The permission bits only (mask 07777).
};

// The user id that owns the files this process creates (POSIX: the
// effective uid).
uint32_t CurrentUserId();

// Describes `path`, following symbolic links (stat(2)). Errors: the errno
// mapping above, with call "stat".
absl::StatusOr<FileInfo> StatPath(const std::string& path);

// Creates `directory` and each missing parent with mode 0700; components
// that already exist as directories are kept as they are. Errors:
// kInvalidArgument when `directory` is empty; kFailedPrecondition
// ("<component> exists but is not a directory") when a component is
// something else; the errno mapping above, with call "mkdir".
absl::Status MakePrivateDirectories(const std::string& directory);

// Decides whether an opened file may be read; returns its error otherwise.
using FileCheck = absl::FunctionRef<absl::Status(const FileInfo&)>;

// Reads the regular file `path`; std::nullopt when it does not exist.
// `check` runs on the opened file before its contents are read, and its
// error is returned as is. `what` names the expected kind of file for the
// size error, e.g. "an identity file". Errors: kFailedPrecondition when
// `path` is a symbolic link (never followed) or "<path> is not a regular
// file"; kDataLoss "<path> is larger than <max_bytes> bytes; not <what>";
// the errno mapping above.
absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes, absl::string_view what,
    FileCheck check);

// As above without a check of owner or mode.
absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes, absl::string_view what);

// Replaces `path` with `contents` atomically: writes `path` + ".tmp" (a
// leftover of that name, even a symbolic link, is removed first and never
// followed) with mode 0600, fsyncs it, renames it over `path`
// and fsyncs the directory. The temp name is fixed, so callers must
// serialise writers of `path` (e.g. with an exclusive lock). On failure the
// temp file is removed and `path` is unchanged. Errors: the errno mapping
// above.
absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents);

// Creates `path` with `contents` and mode 0600 without ever replacing an
// existing file: a unique temp file (`path` + ".tmp-XXXXXX") is written and
// fsynced, hard-linked to `path` (link(2) fails instead of replacing) and
// removed, and the directory is fsynced. Of concurrent creators exactly one
// wins. On file systems without hard links, rename(2) is used after a fresh
// existence check. No temp file is left behind on any error. Errors:
// kAlreadyExists ("<path> already exists") when `path` exists (it is left
// untouched); the errno mapping above.
absl::Status CreateFileExclusively(const std::string& path,
                                   absl::string_view contents);

// fsyncs the directory `directory`, making renames and links in it durable.
// Errors: the errno mapping above.
absl::Status SyncDirectory(const std::string& directory);

}  // namespace natfwt::sys

#endif  // NATFWT_PLATFORM_SYS_PRIVATE_FILES_H_
