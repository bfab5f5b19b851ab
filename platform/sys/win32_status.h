// Copyright 2026 The natfwt Authors.
//
// Windows only: Win32 error codes (GetLastError(), WSAGetLastError(), the
// IP Helper functions' return values) mapped to absl::Status in one place,
// and the UTF-8 <-> UTF-16 conversions every Win32 "W" call needs.
//
// Mapping (raw Windows codes, never POSIX look-alikes; style C6.25):
//   ERROR_ACCESS_DENIED, ERROR_WRITE_PROTECT, ERROR_PRIVILEGE_NOT_HELD,
//   WSAEACCES                                  -> kPermissionDenied
//   ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_NOT_FOUND,
//   ERROR_MOD_NOT_FOUND, ERROR_PROC_NOT_FOUND   -> kNotFound
//   ERROR_FILE_EXISTS, ERROR_ALREADY_EXISTS,
//   ERROR_OBJECT_ALREADY_EXISTS, WSAEADDRINUSE  -> kAlreadyExists
//   ERROR_DIRECTORY, ERROR_CANT_RESOLVE_FILENAME,
//   ERROR_INVALID_STATE                         -> kFailedPrecondition
//   ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL, ERROR_TOO_MANY_OPEN_FILES,
//   ERROR_NOT_ENOUGH_MEMORY, ERROR_OUTOFMEMORY,
//   ERROR_NO_SYSTEM_RESOURCES, WSAENOBUFS, WSAEMFILE -> kResourceExhausted
//   ERROR_INVALID_PARAMETER, WSAEINVAL, WSAEAFNOSUPPORT -> kInvalidArgument
//   ERROR_NOT_SUPPORTED, ERROR_CALL_NOT_IMPLEMENTED -> kUnimplemented
//   ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION,
//   WSAEWOULDBLOCK, WSAENETDOWN                 -> kUnavailable
//   anything else                               -> kInternal
// Every message is "<call>(<subject>): <system text> (Windows error <n>)".
//
// Thread-safety: stateless; safe from any thread.

#ifndef NATFWT_PLATFORM_SYS_WIN32_STATUS_H_
#define NATFWT_PLATFORM_SYS_WIN32_STATUS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::sys {

// The Status for Win32 error `error` returned by `call` on `subject` (a
// path, an interface name; may be empty), mapped as above.
absl::Status Win32Status(uint32_t error, absl::string_view call,
                         absl::string_view subject);

// The canonical code alone (the table above).
absl::StatusCode Win32StatusCode(uint32_t error);

// The system's English text for `error`, without the trailing line break;
// "unknown error" when Windows has none.
std::string Win32ErrorText(uint32_t error);

// UTF-8 -> UTF-16. Errors: kInvalidArgument when `text` is not valid UTF-8
// or holds a NUL.
absl::StatusOr<std::wstring> Utf8ToWide(absl::string_view text);

// UTF-16 -> UTF-8; unpaired surrogates become U+FFFD.
std::string WideToUtf8(const std::wstring& text);

}  // namespace natfwt::sys

#endif  // NATFWT_PLATFORM_SYS_WIN32_STATUS_H_
