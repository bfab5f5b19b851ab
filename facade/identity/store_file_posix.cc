// Copyright 2026 The natfwt Authors.
//
// POSIX implementation of store_file.h (Linux, the BSDs, macOS): the
// association store's lenient policy (a group-writable directory is only
// warned about) and its flock, on top of the shared mechanism in
// platform/sys/private_files.h.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "facade/identity/store_file.h"
#include "platform/base/logging.h"
#include "platform/sys/private_files.h"

namespace natfwt::cp::store_file {
namespace {

// Logs a warning when group or others may write to `directory`; the store
// keeps working (unlike the identity, whose key must stay private).
void WarnIfOthersMayWrite(const std::string& directory) {
  absl::StatusOr<sys::FileInfo> info = sys::StatPath(directory);
  if (info.ok() && (info->mode & 022) != 0) {
    NATFWT_LOG(kWarning) << "state directory " << directory
                         << " is writable by group or others; other users "
                            "could replace interface associations";
  }
}

}  // namespace

absl::Status EnsurePrivateDirectory(const std::string& directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("state directory path is empty");
  }
  absl::Status status = sys::MakePrivateDirectories(directory);
  if (status.ok()) WarnIfOthersMayWrite(directory);
  return status;
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes) {
  return sys::ReadFileIfExists(path, max_bytes, "a store file");
}

absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents) {
  return sys::ReplaceFileAtomically(path, contents);
}

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path, Mode mode) {
  const int fd =
      open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return sys::ErrnoStatus(errno, "open", path);
  FileLock lock(fd);
  const int operation = mode == Mode::kExclusive ? LOCK_EX : LOCK_SH;
  while (flock(fd, operation) != 0) {
    if (errno != EINTR) return sys::ErrnoStatus(errno, "flock", path);
  }
  return lock;
}

FileLock::~FileLock() {
  // Closing the only descriptor of the open file description releases the
  // flock.
  if (handle_ >= 0) close(static_cast<int>(handle_));
}

}  // namespace natfwt::cp::store_file
