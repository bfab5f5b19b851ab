// Copyright 2026 The natfwt Authors.
//
// POSIX implementation of identity_store.h (Linux, the BSDs, macOS).

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/secure/identity_store.h"

namespace natfwt::secure::identity_store {
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
  if (error == ELOOP) {
    absl::StrAppend(&message, " (symbolic links are refused)");
  }
  return absl::Status(CodeForErrno(error), message);
}

std::string ParentOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string ModeText(mode_t mode) {
  return absl::StrFormat("%04o", static_cast<unsigned>(mode & 07777));
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

// The checks on the directory that holds the identity.
absl::Status CheckDirectory(const std::string& directory) {
  struct stat info;
  if (stat(directory.c_str(), &info) != 0) {
    return ErrnoStatus(errno, "stat", directory);
  }
  if (info.st_uid != geteuid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "identity directory ", directory, " belongs to uid ", info.st_uid,
        ", not to the current user (uid ", geteuid(), ")"));
  }
  if ((info.st_mode & 022) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "identity directory ", directory, " has mode ", ModeText(info.st_mode),
        "; group or others could replace the identity (run: chmod 700 ",
        directory, ")"));
  }
  return absl::OkStatus();
}

// The checks on an opened identity file.
absl::Status CheckFile(int fd, const std::string& path) {
  struct stat info;
  if (fstat(fd, &info) != 0) return ErrnoStatus(errno, "fstat", path);
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a regular file"));
  }
  if (info.st_uid != geteuid()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " belongs to uid ", info.st_uid,
                     ", not to the current user (uid ", geteuid(), ")"));
  }
  if ((info.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " has mode ", ModeText(info.st_mode),
        "; a private key must be accessible to its owner only (run: "
        "chmod 600 ",
        path, ")"));
  }
  return absl::OkStatus();
}

absl::Status ReadAll(int fd, size_t max_bytes, const std::string& path,
                     std::string* out) {
  char buffer[4096];
  while (true) {
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(errno, "read", path);
    if (got == 0) return absl::OkStatus();
    out->append(buffer, static_cast<size_t>(got));
    if (out->size() > max_bytes) {
      return absl::DataLossError(absl::StrCat(
          path, " is larger than ", max_bytes, " bytes; not an identity file"));
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

absl::Status SyncDirectory(const std::string& directory) {
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", directory);
  absl::Cleanup close_fd = [fd] { close(fd); };
  if (fsync(fd) != 0) return ErrnoStatus(errno, "fsync", directory);
  return absl::OkStatus();
}

// Writes `contents` into the new file `*temp` (a mkostemp template that is
// completed in place), mode 0600, fsynced and closed.
absl::Status WriteTempFile(std::string* temp, absl::string_view contents) {
  const int fd = mkostemp(temp->data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "mkostemp", *temp);
  absl::Cleanup close_fd = [fd] { close(fd); };
  // The umask may have cleared bits and mkostemp's mode is not specified by
  // POSIX; the mode must be exactly 0600.
  if (fchmod(fd, 0600) != 0) return ErrnoStatus(errno, "fchmod", *temp);
  absl::Status status = WriteAll(fd, contents, *temp);
  if (status.ok() && fsync(fd) != 0) {
    status = ErrnoStatus(errno, "fsync", *temp);
  }
  return status;
}

// Gives `temp` the name `path` unless `path` exists.
absl::Status PublishWithoutReplacing(const std::string& temp,
                                     const std::string& path) {
  if (link(temp.c_str(), path.c_str()) == 0) return absl::OkStatus();
  const int error = errno;
  if (error == EEXIST) {
    return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
  }
  // Why: some file systems (vfat, some FUSE mounts) have no hard links and
  // answer EPERM or EOPNOTSUPP; rename(2) is the portable fallback, and the
  // window between the check and the rename is the best they allow.
  if (error != EPERM && error != EOPNOTSUPP && error != ENOTSUP) {
    return ErrnoStatus(error, "link", path);
  }
  struct stat info;
  if (lstat(path.c_str(), &info) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return ErrnoStatus(errno, "rename", temp);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PreparePrivateDirectory(const std::string& directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("identity directory path is empty");
  }
  // Create each missing component from the top, like mkdir -p.
  for (size_t slash = directory.find('/', 1); slash != std::string::npos;
       slash = directory.find('/', slash + 1)) {
    absl::Status status = MakeOneDirectory(directory.substr(0, slash));
    if (!status.ok()) return status;
  }
  absl::Status status = MakeOneDirectory(directory);
  if (!status.ok()) return status;
  return CheckDirectory(directory);
}

absl::StatusOr<std::optional<std::string>> ReadPrivateFile(
    const std::string& path, size_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return std::optional<std::string>();
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  absl::Cleanup close_fd = [fd] { close(fd); };
  absl::Status status = CheckFile(fd, path);
  if (!status.ok()) return status;
  std::string contents;
  status = ReadAll(fd, max_bytes, path, &contents);
  if (!status.ok()) return status;
  return std::optional<std::string>(std::move(contents));
}

absl::Status CreatePrivateFile(const std::string& path,
                               absl::string_view contents) {
  std::string temp = path + ".tmp-XXXXXX";
  absl::Status status = WriteTempFile(&temp, contents);
  // The temp name is unlinked on every path: after a successful link(2) it
  // is a second name for the published file.
  absl::Cleanup remove_temp = [&temp] { unlink(temp.c_str()); };
  if (!status.ok()) return status;
  status = PublishWithoutReplacing(temp, path);
  if (!status.ok()) return status;
  return SyncDirectory(ParentOf(path));
}

}  // namespace natfwt::secure::identity_store
