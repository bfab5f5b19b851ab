// Copyright 2026 The natfwt Authors.
//
// win32_status.h: the one table from Win32 error codes to absl::Status.

// clang-format off
#include <winsock2.h>
#include <windows.h>
// clang-format on

#include "absl/strings/str_cat.h"
#include "platform/sys/win32_status.h"

namespace natfwt::sys {
namespace {

struct Mapping {
  DWORD error;
  absl::StatusCode code;
};

constexpr Mapping kTable[] = {
    {ERROR_ACCESS_DENIED, absl::StatusCode::kPermissionDenied},
    {ERROR_WRITE_PROTECT, absl::StatusCode::kPermissionDenied},
    {ERROR_PRIVILEGE_NOT_HELD, absl::StatusCode::kPermissionDenied},
    {WSAEACCES, absl::StatusCode::kPermissionDenied},
    {ERROR_FILE_NOT_FOUND, absl::StatusCode::kNotFound},
    {ERROR_PATH_NOT_FOUND, absl::StatusCode::kNotFound},
    {ERROR_NOT_FOUND, absl::StatusCode::kNotFound},
    {ERROR_MOD_NOT_FOUND, absl::StatusCode::kNotFound},
    {ERROR_PROC_NOT_FOUND, absl::StatusCode::kNotFound},
    {ERROR_FILE_EXISTS, absl::StatusCode::kAlreadyExists},
    {ERROR_ALREADY_EXISTS, absl::StatusCode::kAlreadyExists},
    {ERROR_OBJECT_ALREADY_EXISTS, absl::StatusCode::kAlreadyExists},
    {WSAEADDRINUSE, absl::StatusCode::kAlreadyExists},
    {ERROR_DIRECTORY, absl::StatusCode::kFailedPrecondition},
    {ERROR_CANT_RESOLVE_FILENAME, absl::StatusCode::kFailedPrecondition},
    {ERROR_INVALID_STATE, absl::StatusCode::kFailedPrecondition},
    {ERROR_DISK_FULL, absl::StatusCode::kResourceExhausted},
    {ERROR_HANDLE_DISK_FULL, absl::StatusCode::kResourceExhausted},
    {ERROR_TOO_MANY_OPEN_FILES, absl::StatusCode::kResourceExhausted},
    {ERROR_NOT_ENOUGH_MEMORY, absl::StatusCode::kResourceExhausted},
    {ERROR_OUTOFMEMORY, absl::StatusCode::kResourceExhausted},
    {ERROR_NO_SYSTEM_RESOURCES, absl::StatusCode::kResourceExhausted},
    {WSAENOBUFS, absl::StatusCode::kResourceExhausted},
    {WSAEMFILE, absl::StatusCode::kResourceExhausted},
    {ERROR_INVALID_PARAMETER, absl::StatusCode::kInvalidArgument},
    {WSAEINVAL, absl::StatusCode::kInvalidArgument},
    {WSAEAFNOSUPPORT, absl::StatusCode::kInvalidArgument},
    {ERROR_NOT_SUPPORTED, absl::StatusCode::kUnimplemented},
    {ERROR_CALL_NOT_IMPLEMENTED, absl::StatusCode::kUnimplemented},
    {ERROR_SHARING_VIOLATION, absl::StatusCode::kUnavailable},
    {ERROR_LOCK_VIOLATION, absl::StatusCode::kUnavailable},
    {WSAEWOULDBLOCK, absl::StatusCode::kUnavailable},
    {WSAENETDOWN, absl::StatusCode::kUnavailable},
};

}  // namespace

absl::StatusCode Win32StatusCode(uint32_t error) {
  for (const Mapping& mapping : kTable) {
    if (mapping.error == error) return mapping.code;
  }
  return absl::StatusCode::kInternal;
}

std::string Win32ErrorText(uint32_t error) {
  char buffer[512];
  DWORD length = FormatMessageA(
      FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
      error, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), buffer,
      sizeof(buffer), nullptr);
  if (length == 0) {
    // No English text installed: any language is better than none.
    length = FormatMessageA(
        FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
        error, 0, buffer, sizeof(buffer), nullptr);
  }
  while (length > 0 &&
         (buffer[length - 1] == '\n' || buffer[length - 1] == '\r' ||
          buffer[length - 1] == ' ' || buffer[length - 1] == '.')) {
    --length;
  }
  return length == 0 ? std::string("unknown error")
                     : std::string(buffer, length);
}

absl::Status Win32Status(uint32_t error, absl::string_view call,
                         absl::string_view subject) {
  return absl::Status(
      Win32StatusCode(error),
      absl::StrCat(call, "(", subject, "): ", Win32ErrorText(error),
                   " (Windows error ", error, ")"));
}

absl::StatusOr<std::wstring> Utf8ToWide(absl::string_view text) {
  if (text.empty()) return std::wstring();
  if (text.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("text holds a NUL character");
  }
  const int size = static_cast<int>(text.size());
  int wide_size = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS,
                                      text.data(), size, nullptr, 0);
  if (wide_size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid UTF-8: '", text, "'"));
  }
  std::wstring wide(static_cast<size_t>(wide_size), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), size,
                      wide.data(), wide_size);
  return wide;
}

std::string WideToUtf8(const std::wstring& text) {
  if (text.empty()) return std::string();
  const int size = static_cast<int>(text.size());
  int narrow_size = WideCharToMultiByte(CP_UTF8, 0, text.data(), size, nullptr,
                                        0, nullptr, nullptr);
  std::string narrow(static_cast<size_t>(narrow_size > 0 ? narrow_size : 0),
                     '\0');
  if (narrow_size > 0) {
    WideCharToMultiByte(CP_UTF8, 0, text.data(), size, narrow.data(),
                        narrow_size, nullptr, nullptr);
  }
  return narrow;
}

}  // namespace natfwt::sys
