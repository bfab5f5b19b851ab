// Copyright 2026 The natfwt Authors.
//
// The few file-system operations the association store needs, one
// implementation per OS (store_file_posix.cc, store_file_windows.cc;
// store_file_default.cc returns kUnimplemented elsewhere):
//
//   * a private state directory (created with mode 0700);
//   * reading a small file that may not exist yet;
//   * replacing a file atomically and durably (temp file in the same
//     directory with mode 0600, fsync, rename, fsync of the directory), so a
//     crash leaves either the old or the new content, never a mix;
//   * an advisory whole-file lock (POSIX flock, Windows LockFileEx) that
//     serialises read-modify-write cycles across threads and processes:
//     every FileLock::Acquire opens its own descriptor (handle), so two
//     locks conflict even inside one process.
//
// On Windows the directory and the files get a private DACL instead of
// modes 0700/0600, and the atomic replace is MoveFileExW with
// MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH (platform/sys/
// private_files.h says more); Win32 errors map as in platform/sys/
// win32_status.h.
//
// Errors map errno in one place: EACCES/EPERM/EROFS -> kPermissionDenied,
// ENOENT -> kNotFound, ENOTDIR/ELOOP/EISDIR -> kFailedPrecondition,
// ENOSPC/EDQUOT/EMFILE/ENFILE/ENOMEM -> kResourceExhausted, anything else ->
// kInternal; every message names the call, the path and strerror().
//
// Thread-safety: the functions keep no state; a FileLock object must not be
// shared between threads without external synchronisation.

#ifndef NATFWT_FACADE_IDENTITY_STORE_FILE_H_
#define NATFWT_FACADE_IDENTITY_STORE_FILE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::cp::store_file {

// Creates `directory`, and any missing parent, with mode 0700. An existing
// directory is kept as is (a warning is logged when others may write to
// it). Errors: kFailedPrecondition when a path component exists but is not
// a directory; the errno mapping above otherwise.
absl::Status EnsurePrivateDirectory(const std::string& directory);

// Reads the regular file `path`. Returns std::nullopt when it does not
// exist. Errors: kFailedPrecondition when `path` is a symbolic link or not a
// regular file (the store never follows links); kDataLoss when the file has
// more than `max_bytes` bytes; the errno mapping above otherwise.
absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes);

// Replaces `path` with `contents` atomically: writes `path` + ".tmp" (any
// leftover is removed first) with mode 0600, fsyncs it, renames it over
// `path` and fsyncs the directory. Callers must hold an exclusive FileLock
// covering `path`, since the temp name is fixed. On failure the temp file
// is removed and `path` is unchanged. Errors: the errno mapping above.
absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents);

// An advisory lock on a lock file, released when the object is destroyed
// (or moved from and then destroyed). Move-only.
class FileLock {
 public:
  enum class Mode { kShared, kExclusive };

  // Opens (creating with mode 0600 when missing) `path` and waits until
  // the lock is granted. Errors: kFailedPrecondition when `path` is a
  // symbolic link; the errno mapping above; kUnimplemented on systems
  // without an implementation.
  static absl::StatusOr<FileLock> Acquire(const std::string& path, Mode mode);

  FileLock(FileLock&& other) noexcept
      : handle_(std::exchange(other.handle_, -1)) {}
  FileLock& operator=(FileLock&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(intptr_t handle) : handle_(handle) {}
  // The locked descriptor (POSIX) or HANDLE (Windows, where
  // INVALID_HANDLE_VALUE is -1 too); -1 when moved from.
  intptr_t handle_ = -1;
};

}  // namespace natfwt::cp::store_file

#endif  // NATFWT_FACADE_IDENTITY_STORE_FILE_H_
