// Copyright 2026 The natfwt Authors.
//
// private_files.h on Windows. What POSIX modes do there, a DACL does here:
// directories natfwt creates get a protected DACL that grants full access to
// SYSTEM, the Administrators group and the directory's owner only
// ("D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;OW)"), inherited by the
// files inside; files natfwt writes get the same DACL explicitly, so they are
// private even in a directory someone else made. Existing directories keep
// their DACL. FileInfo::owner_uid and FileInfo::mode are 0: Windows has no
// uid or mode bits, access is the DACL's business.
//
// Durability: a file is written, FlushFileBuffers()ed and then moved into
// place with MoveFileExW(MOVEFILE_WRITE_THROUGH), which returns only once the
// rename is on disk; so SyncDirectory() has nothing left to do (Windows
// cannot open a directory for flushing anyway).
//
// Symbolic links and junctions are never followed: files are opened with
// FILE_FLAG_OPEN_REPARSE_POINT and a reparse point is refused.

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <cstring>
#include <random>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "platform/base/status_macros.h"
#include "platform/sys/private_files.h"
#include "platform/sys/win32_status.h"

namespace natfwt::sys {
namespace {

// Implementation choice: SYSTEM, Administrators and the owner; protected
// (P) so nothing is inherited from the parent.
constexpr wchar_t kPrivateSddl[] =
    L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;OW)";

// A SECURITY_ATTRIBUTES with the private DACL; when the descriptor cannot
// be built (out of memory) the object gets the inherited default DACL.
class PrivateSecurity {
 public:
  PrivateSecurity() {
    attributes_.nLength = sizeof(attributes_);
    attributes_.bInheritHandle = FALSE;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (ConvertStringSecurityDescriptorToSecurityDescriptorW(
            kPrivateSddl, SDDL_REVISION_1, &descriptor, nullptr)) {
      attributes_.lpSecurityDescriptor = descriptor;
    }
  }
  ~PrivateSecurity() {
    if (attributes_.lpSecurityDescriptor != nullptr) {
      LocalFree(attributes_.lpSecurityDescriptor);
    }
  }
  PrivateSecurity(const PrivateSecurity&) = delete;
  PrivateSecurity& operator=(const PrivateSecurity&) = delete;

  SECURITY_ATTRIBUTES* get() { return &attributes_; }

 private:
  SECURITY_ATTRIBUTES attributes_ = {};
};

// Closes a HANDLE when it goes out of scope.
class OwnedHandle {
 public:
  explicit OwnedHandle(HANDLE handle) : handle_(handle) {}
  ~OwnedHandle() {
    if (valid()) CloseHandle(handle_);
  }
  OwnedHandle(const OwnedHandle&) = delete;
  OwnedHandle& operator=(const OwnedHandle&) = delete;

  bool valid() const { return handle_ != INVALID_HANDLE_VALUE; }
  HANDLE get() const { return handle_; }
  // Closes now; returns the Win32 error of CloseHandle (0 when it worked).
  DWORD Close() {
    DWORD error = 0;
    if (valid() && !CloseHandle(handle_)) error = GetLastError();
    handle_ = INVALID_HANDLE_VALUE;
    return error;
  }

 private:
  HANDLE handle_;
};

absl::Status LastError(absl::string_view call, absl::string_view path) {
  return Win32Status(GetLastError(), call, path);
}

bool IsMissing(DWORD error) {
  return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

// Writes all of `contents` to a new file `path` (replacing a leftover of
// that name when `replace`), with the private DACL, and flushes it.
absl::Status WriteNewFile(const std::wstring& path, const std::string& name,
                          absl::string_view contents, bool replace) {
  PrivateSecurity security;
  OwnedHandle file(CreateFileW(path.c_str(), GENERIC_WRITE, 0, security.get(),
                               replace ? CREATE_ALWAYS : CREATE_NEW,
                               FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.valid()) return LastError("CreateFileW", name);
  size_t done = 0;
  while (done < contents.size()) {
    const DWORD chunk =
        static_cast<DWORD>(std::min<size_t>(contents.size() - done, 1u << 30));
    DWORD written = 0;
    if (!WriteFile(file.get(), contents.data() + done, chunk, &written,
                   nullptr)) {
      return LastError("WriteFile", name);
    }
    done += written;
  }
  if (!FlushFileBuffers(file.get())) return LastError("FlushFileBuffers", name);
  if (DWORD error = file.Close(); error != 0) {
    return Win32Status(error, "CloseHandle", name);
  }
  return absl::OkStatus();
}

// The components of `directory` that may need creating, as prefixes:
// "C:\a\b" -> {"C:\a", "C:\a\b"}; the drive ("C:") and a UNC server and
// share ("\\server\share") are never created.
std::vector<std::string> DirectoryPrefixes(const std::string& directory) {
  std::vector<std::string> prefixes;
  size_t start = 0;
  if (directory.size() >= 2 && directory[1] == ':') start = 2;
  int skip = 0;
  if (directory.rfind("\\\\", 0) == 0 || directory.rfind("//", 0) == 0) {
    start = 2;
    skip = 2;  // server and share
  }
  for (size_t i = start; i <= directory.size(); ++i) {
    const bool end = i == directory.size();
    if (!end && directory[i] != '/' && directory[i] != '\\') continue;
    if (i > start &&
        !(i > 0 && (directory[i - 1] == '/' || directory[i - 1] == '\\'))) {
      if (skip > 0) {
        --skip;
      } else {
        prefixes.push_back(directory.substr(0, i));
      }
    }
  }
  return prefixes;
}

absl::Status MakeOneDirectory(const std::string& path) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  const DWORD attributes = GetFileAttributesW(wide->c_str());
  if (attributes != INVALID_FILE_ATTRIBUTES) {
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(path, " exists but is not a directory"));
  }
  PrivateSecurity security;
  if (CreateDirectoryW(wide->c_str(), security.get())) return absl::OkStatus();
  const DWORD error = GetLastError();
  if (error == ERROR_ALREADY_EXISTS) return MakeOneDirectory(path);
  return Win32Status(error, "CreateDirectoryW", path);
}

// Checks and reads the opened file `file` (named `path`).
absl::StatusOr<std::optional<std::string>> ReadOpened(HANDLE file,
                                                      const std::string& path,
                                                      size_t max_bytes,
                                                      absl::string_view what,
                                                      const FileCheck* check) {
  BY_HANDLE_FILE_INFORMATION information;
  if (!GetFileInformationByHandle(file, &information)) {
    return LastError("GetFileInformationByHandle", path);
  }
  if ((information.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is a symbolic link or junction (symbolic links are refused)"));
  }
  FileInfo info;
  info.is_directory =
      (information.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
  info.is_regular = !info.is_directory;
  if (!info.is_regular) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a regular file"));
  }
  if (check != nullptr) NATFWT_RETURN_IF_ERROR((*check)(info));
  const uint64_t size =
      (uint64_t{information.nFileSizeHigh} << 32) | information.nFileSizeLow;
  if (size > max_bytes) {
    return absl::DataLossError(absl::StrCat(path, " is larger than ", max_bytes,
                                            " bytes; not ", what));
  }
  std::string contents(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < contents.size()) {
    DWORD got = 0;
    if (!ReadFile(file, contents.data() + done,
                  static_cast<DWORD>(contents.size() - done), &got, nullptr)) {
      return LastError("ReadFile", path);
    }
    if (got == 0) break;  // Shrunk under us: keep what was there.
    done += got;
  }
  contents.resize(done);
  return std::optional<std::string>(std::move(contents));
}

absl::StatusOr<std::optional<std::string>> Read(const std::string& path,
                                                size_t max_bytes,
                                                absl::string_view what,
                                                const FileCheck* check) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  OwnedHandle file(CreateFileW(
      wide->c_str(), GENERIC_READ,
      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
      OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS,
      nullptr));
  if (!file.valid()) {
    const DWORD error = GetLastError();
    if (IsMissing(error)) return std::optional<std::string>();
    return Win32Status(error, "CreateFileW", path);
  }
  return ReadOpened(file.get(), path, max_bytes, what, check);
}

}  // namespace

absl::Status ErrnoStatus(int error, absl::string_view call,
                         absl::string_view path) {
  return absl::InternalError(
      absl::StrCat(call, "(", path, "): ", std::strerror(error)));
}

uint32_t CurrentUserId() { return 0; }

absl::StatusOr<FileInfo> StatPath(const std::string& path) {
  absl::StatusOr<std::wstring> wide = Utf8ToWide(path);
  if (!wide.ok()) return wide.status();
  WIN32_FILE_ATTRIBUTE_DATA data;
  if (!GetFileAttributesExW(wide->c_str(), GetFileExInfoStandard, &data)) {
    return LastError("GetFileAttributesExW", path);
  }
  FileInfo info;
  info.is_directory = (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
  info.is_regular = !info.is_directory;
  return info;
}

absl::Status MakePrivateDirectories(const std::string& directory) {
  if (directory.empty()) {
    return absl::InvalidArgumentError("directory path is empty");
  }
  for (const std::string& prefix : DirectoryPrefixes(directory)) {
    NATFWT_RETURN_IF_ERROR(MakeOneDirectory(prefix));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes, absl::string_view what,
    FileCheck check) {
  return Read(path, max_bytes, what, &check);
}

absl::StatusOr<std::optional<std::string>> ReadFileIfExists(
    const std::string& path, size_t max_bytes, absl::string_view what) {
  return Read(path, max_bytes, what, nullptr);
}

absl::Status ReplaceFileAtomically(const std::string& path,
                                   absl::string_view contents) {
  const std::string temp = path + ".tmp";
  absl::StatusOr<std::wstring> wide_path = Utf8ToWide(path);
  absl::StatusOr<std::wstring> wide_temp = Utf8ToWide(temp);
  if (!wide_path.ok()) return wide_path.status();
  if (!wide_temp.ok()) return wide_temp.status();
  // A leftover (even a symbolic link) is removed, never followed.
  if (!DeleteFileW(wide_temp->c_str()) && !IsMissing(GetLastError())) {
    return LastError("DeleteFileW", temp);
  }
  absl::Cleanup remove_temp = [&] { DeleteFileW(wide_temp->c_str()); };
  NATFWT_RETURN_IF_ERROR(WriteNewFile(*wide_temp, temp, contents, false));
  if (!MoveFileExW(wide_temp->c_str(), wide_path->c_str(),
                   MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    return LastError("MoveFileExW", path);
  }
  std::move(remove_temp).Cancel();
  return absl::OkStatus();
}

absl::Status CreateFileExclusively(const std::string& path,
                                   absl::string_view contents) {
  std::random_device random;
  const std::string temp =
      absl::StrFormat("%s.tmp-%08x%08x", path, random(), random());
  absl::StatusOr<std::wstring> wide_path = Utf8ToWide(path);
  absl::StatusOr<std::wstring> wide_temp = Utf8ToWide(temp);
  if (!wide_path.ok()) return wide_path.status();
  if (!wide_temp.ok()) return wide_temp.status();
  absl::Cleanup remove_temp = [&] { DeleteFileW(wide_temp->c_str()); };
  NATFWT_RETURN_IF_ERROR(WriteNewFile(*wide_temp, temp, contents, false));
  // Without MOVEFILE_REPLACE_EXISTING the move fails instead of replacing:
  // of concurrent creators exactly one wins.
  if (!MoveFileExW(wide_temp->c_str(), wide_path->c_str(),
                   MOVEFILE_WRITE_THROUGH)) {
    const DWORD error = GetLastError();
    if (error == ERROR_ALREADY_EXISTS || error == ERROR_FILE_EXISTS) {
      return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
    }
    return Win32Status(error, "MoveFileExW", path);
  }
  std::move(remove_temp).Cancel();
  return absl::OkStatus();
}

absl::Status SyncDirectory(const std::string& directory) {
  // MOVEFILE_WRITE_THROUGH already made every rename durable.
  absl::StatusOr<FileInfo> info = StatPath(directory);
  if (!info.ok()) return info.status();
  if (!info->is_directory) {
    return absl::FailedPreconditionError(
        absl::StrCat(directory, " is not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace natfwt::sys
