// Copyright 2026 The natfwt Authors.
//
// POSIX implementation of store_file.h (Linux, the BSDs, macOS).

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "facade/identity/store_file.h"
#include "platform/base/logging.h"

namespace natfwt::cp::store_file {
namespace {

absl::StatusCode CodeForErrno(int error) {
  switch (error) {
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::StatusCode::kPermissionDenied;
    case ENOENT:
      return absl::StatusCode::kNotFound;
    case ENOTDIR:
    case ELOOP:
    case EISDIR:
      return absl::StatusCode::kFailedPrecondition;
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return absl::StatusCode::kResourceExhausted;
    default:
      return absl::StatusCode::kInternal;
  }
}

// The one place errno becomes a Status: "<call>(<path>): <strerror>".
absl::Status ErrnoStatus(int error, absl::string_view call,
                         absl::string_view path) {
  std::string message =
      absl::StrCat(call, "(", path, "): ", std::strerror(error));
  if (error == ELOOP)
    absl::StrAppend(&message, " (symbolic links are refused)");
  return absl::Status(CodeForErrno(error), message);
}

std::string ParentOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

absl::Status MakeOneDirectory(const std::string& path) {
  if (mkdir(path.c_str(), 0700) == 0) return absl::OkStatus();
  const int error = errno;
  struct stat info;
  if (error == EEXIST && stat(path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(path, " exists but is not a directory"));
  }
  return ErrnoStatus(error, "mkdir", path);
}

void WarnIfOthersMayWrite(const std::string& directory) {
  struct stat info;
  if (stat(directory.c_str(), &info) == 0 && (info.st_mode & 022) != 0) {
    NATFWT_LOG(kWarning) << "state directory " << directory
                         << " is writable by group or others; other users "
                            "could replace interface associations";
  }
}

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t written = write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return ErrnoStatus(errno, "write", path);
    data.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

absl::Status ReadAll(int fd, size_t max_bytes, const std::string& path,
                     std::string* out) {
  char buffer[16 * 1024];
  while (true) {
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(errno, "read", path);
    if (got == 0) return absl::OkStatus();
    out->append(buffer, static_cast<size_t>(got));
    if (out->size() > max_bytes) {
      return absl::DataLossError(absl::StrCat(
          path, " is larger than ", max_bytes, " bytes; not a store file"));
    }
  }
}

absl::Status SyncDirectory(const std::string& directory) {
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", directory);
  absl::Cleanup close_fd = [fd] { close(fd); };
  if (fsync(fd) != 0) return ErrnoStatus(errno, "fsync", directory);
  return absl::OkStatus();
}

// Writes `contents` to the new file `temp` (mode 0600) and fsyncs it.
absl::Status WriteTempFile(const std::string& temp,
                           absl::string_view contents) {
  if (unlink(temp.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "unlink", temp);
  }
  const int fd = open(
      temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus(errno, "open", temp);
  absl::Cleanup close_fd = [fd] { close(fd); };
  // The umask may have cleared bits; the mode must be exactly 0600.
  if (fchmod(fd, 0600) != 0) return ErrnoStatus(errno, "fchmod", temp);
  absl::Status status = WriteAll(fd, contents, temp);
  if (status.ok() && fsync(fd) != 0) status = ErrnoStatus(errno, "fsync", temp);
  return status;
}

}  // namespace

absl::Status EnsurePrivateDirectory(const std::string& directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("state directory path is empty");
  }
  // Create each missing component from the top, like mkdir -p.
  for (size_t slash = directory.find('/', 1); slash != std::string::npos;
       slash = directory.find('/', slash + 1)) {
    absl::Status status = MakeOneDirectory(directory.substr(0, slash));
    if (!status.ok()) return status;
  }
  absl::Status status = MakeOneDirectory(directory);
  if (status.ok()) WarnIfOthersMayWrite(directory);
  return status;
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return std::optional<std::string>();
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  absl::Cleanup close_fd = [fd] { close(fd); };
  struct stat info;
  if (fstat(fd, &info) != 0) return ErrnoStatus(errno, "fstat", path);
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a regular file"));
  }
  std::string contents;
  absl::Status status = ReadAll(fd, max_bytes, path, &contents);
  if (!status.ok()) return status;
  return std::optional<std::string>(std::move(contents));
}

absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents) {
  const std::string temp = path + ".tmp";
  absl::Status status = WriteTempFile(temp, contents);
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename", temp);
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  return SyncDirectory(ParentOf(path));
}

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path, Mode mode) {
  const int fd =
      open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  FileLock lock(fd);
  const int operation = mode == Mode::kExclusive ? LOCK_EX : LOCK_SH;
  while (flock(fd, operation) != 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "flock", path);
  }
  return lock;
}

FileLock::~FileLock() {
  // Closing the only descriptor of the open file description releases the
  // flock.
  if (fd_ >= 0) close(fd_);
}

}  // namespace natfwt::cp::store_file
