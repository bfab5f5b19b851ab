// Copyright 2026 The natfwt Authors.
//
// POSIX implementation of private_files.h (Linux, the BSDs, macOS).

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "platform/base/status_macros.h"
#include "platform/sys/private_files.h"

namespace natfwt::sys {
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

FileInfo InfoFrom(const struct stat& info) {
  FileInfo result;
  result.is_directory = S_ISDIR(info.st_mode);
  result.is_regular = S_ISREG(info.st_mode);
  result.owner_uid = static_cast<uint32_t>(info.st_uid);
  result.mode = static_cast<uint32_t>(info.st_mode & 07777);
  return result;
}

// The directory that holds `path` ("." for a bare name).
std::string ParentOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Creates the single directory `path` (mode 0700) unless it already is one.
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

// Appends everything left in `fd` to `*out`; kDataLoss past `max_bytes`.
absl::Status ReadAll(int fd, size_t max_bytes, const std::string& path,
                     absl::string_view what, std::string* out) {
  char buffer[16 * 1024];
  while (true) {
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(errno, "read", path);
    if (got == 0) return absl::OkStatus();
    out->append(buffer, static_cast<size_t>(got));
    if (out->size() > max_bytes) {
      return absl::DataLossError(absl::StrCat(path, " is larger than ",
                                              max_bytes, " bytes; not ", what));
    }
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

// Gives the new file `fd` (named `path`) mode 0600 and `contents`, and
// fsyncs it. Takes ownership of `fd` and closes it.
absl::Status FillNewFile(int fd, const std::string& path,
                         absl::string_view contents) {
  absl::Cleanup close_fd = [fd] { close(fd); };
  // The umask may have cleared bits and mkostemp's mode is not specified by
  // POSIX; the mode must be exactly 0600.
  if (fchmod(fd, 0600) != 0) return ErrnoStatus(errno, "fchmod", path);
  NATFWT_RETURN_IF_ERROR(WriteAll(fd, contents, path));
  if (fsync(fd) != 0) return ErrnoStatus(errno, "fsync", path);
  return absl::OkStatus();
}

// Writes the file `temp` afresh: a leftover of that name (even a symbolic
// link) is removed first and never followed.
absl::Status WriteFixedTempFile(const std::string& temp,
                                absl::string_view contents) {
  if (unlink(temp.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "unlink", temp);
  }
  const int fd = open(
      temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus(errno, "open", temp);
  return FillNewFile(fd, temp, contents);
}

// Writes `contents` into a new file named after the mkostemp template
// `*temp`, which is completed in place.
absl::Status WriteUniqueTempFile(std::string* temp,
                                 absl::string_view contents) {
  const int fd = mkostemp(temp->data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "mkostemp", *temp);
  return FillNewFile(fd, *temp, contents);
}

absl::Status AlreadyExists(const std::string& path) {
  return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
}

// Gives `temp` the name `path` unless `path` exists.
absl::Status PublishWithoutReplacing(const std::string& temp,
                                     const std::string& path) {
  if (link(temp.c_str(), path.c_str()) == 0) return absl::OkStatus();
  const int error = errno;
  if (error == EEXIST) return AlreadyExists(path);
  // Why: some file systems (vfat, some FUSE mounts) have no hard links and
  // answer EPERM or EOPNOTSUPP; rename(2) is the portable fallback, and the
  // window between the check and the rename is the best they allow.
  if (error != EPERM && error != EOPNOTSUPP && error != ENOTSUP) {
    return ErrnoStatus(error, "link", path);
  }
  struct stat info;
  if (lstat(path.c_str(), &info) == 0) return AlreadyExists(path);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return ErrnoStatus(errno, "rename", temp);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ErrnoStatus(int error, absl::string_view call,
                         absl::string_view path) {
  std::string message =
      absl::StrCat(call, "(", path, "): ", std::strerror(error));
  if (error == ELOOP) {
    absl::StrAppend(&message, " (symbolic links are refused)");
  }
  return absl::Status(CodeForErrno(error), message);
}

uint32_t CurrentUserId() { return static_cast<uint32_t>(geteuid()); }

absl::StatusOr<FileInfo> StatPath(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return ErrnoStatus(errno, "stat", path);
  return InfoFrom(info);
}

absl::Status MakePrivateDirectories(const std::string& directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("directory path is empty");
  }
  // Create each missing component from the top, like mkdir -p.
  for (size_t slash = directory.find('/', 1); slash != std::string::npos;
       slash = directory.find('/', slash + 1)) {
    NATFWT_RETURN_IF_ERROR(MakeOneDirectory(directory.substr(0, slash)));
  }
  return MakeOneDirectory(directory);
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes, absl::string_view what,
    FileCheck check) {
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
  NATFWT_RETURN_IF_ERROR(check(InfoFrom(info)));
  std::string contents;
  NATFWT_RETURN_IF_ERROR(ReadAll(fd, max_bytes, path, what, &contents));
  return std::optional<std::string>(std::move(contents));
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes, absl::string_view what) {
  return ReadFileIfExists(path, max_bytes, what,
                          [](const FileInfo&) { return absl::OkStatus(); });
}

absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents) {
  const std::string temp = path + ".tmp";
  absl::Status status = WriteFixedTempFile(temp, contents);
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename", temp);
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  return SyncDirectory(ParentOf(path));
}

absl::Status CreateFileExclusively(const std::string& path,
                                   absl::string_view contents) {
  std::string temp = path + ".tmp-XXXXXX";
  absl::Status status = WriteUniqueTempFile(&temp, contents);
  // The temp name is unlinked on every path: after a successful link(2) it
  // is a second name for the published file.
  absl::Cleanup remove_temp = [&temp] { unlink(temp.c_str()); };
  NATFWT_RETURN_IF_ERROR(status);
  NATFWT_RETURN_IF_ERROR(PublishWithoutReplacing(temp, path));
  return SyncDirectory(ParentOf(path));
}

absl::Status SyncDirectory(const std::string& directory) {
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", directory);
  absl::Cleanup close_fd = [fd] { close(fd); };
  if (fsync(fd) != 0) return ErrnoStatus(errno, "fsync", directory);
  return absl::OkStatus();
}

}  // namespace natfwt::sys
