// Copyright 2026 The natfwt Authors.
//
// Windows implementation of store_file.h: the shared mechanism of
// platform/sys/private_files.h (private DACL, MoveFileExW replace) and a
// LockFileEx lock on the whole lock file. Byte-range locks belong to the
// handle, so two FileLocks conflict even inside one process, as flock's do.

// clang-format off
#include <winsock2.h>
#include <windows.h>
// clang-format on

#include "facade/identity/store_file.h"
#include "platform/sys/private_files.h"
#include "platform/sys/win32_status.h"

namespace natfwt::cp::store_file {

absl::Status EnsurePrivateDirectory(const std::string& directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("state directory path is empty");
  }
  return sys::MakePrivateDirectories(directory);
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
  absl::StatusOr<std::wstring> wide = sys::Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  // Everyone may open the lock file at once; the lock, not the sharing
  // mode, serialises them. A reparse point is opened as itself, then
  // refused.
  HANDLE handle = CreateFileW(
      wide->c_str(), GENERIC_READ | GENERIC_WRITE,
      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
      OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT,
      nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    return sys::Win32Status(GetLastError(), "CreateFileW", path);
  }
  FileLock lock(reinterpret_cast<intptr_t>(handle));
  BY_HANDLE_FILE_INFORMATION information;
  if (GetFileInformationByHandle(handle, &information) &&
      (information.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    return absl::FailedPreconditionError(
        path + " is a symbolic link (symbolic links are refused)");
  }
  OVERLAPPED whole_file = {};
  const DWORD flags = mode == Mode::kExclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0;
  if (!LockFileEx(handle, flags, 0, MAXDWORD, MAXDWORD, &whole_file)) {
    return sys::Win32Status(GetLastError(), "LockFileEx", path);
  }
  return lock;
}

FileLock::~FileLock() {
  // Closing the handle releases its locks.
  if (handle_ != -1) CloseHandle(reinterpret_cast<HANDLE>(handle_));
}

}  // namespace natfwt::cp::store_file
