// Copyright 2026 The natfwt Authors.
//
// Windows part of provider_identity.h: the calling account is the user SID
// of the process token (TokenUser), e.g. "sid:S-1-5-18" for LocalSystem.
// Windows has no numeric user id: EffectiveUserId() is kUnimplemented.

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <vector>

#include "absl/strings/str_cat.h"
#include "facade/identity/provider_identity.h"
#include "platform/sys/win32_status.h"

namespace natfwt::cp {

absl::StatusOr<uint32_t> EffectiveUserId() {
  return absl::UnimplementedError(
      "Windows has no user ids; the provider identity is the caller's SID");
}

absl::StatusOr<std::string> CallerAccountIdentity() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
    return sys::Win32Status(GetLastError(), "OpenProcessToken", "");
  }
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<unsigned char> buffer(size > 0 ? size : 1);
  const bool got =
      GetTokenInformation(token, TokenUser, buffer.data(), size, &size);
  const DWORD error = got ? 0 : GetLastError();
  CloseHandle(token);
  if (!got) return sys::Win32Status(error, "GetTokenInformation", "TokenUser");
  const auto* user = reinterpret_cast<const TOKEN_USER*>(buffer.data());
  char* text = nullptr;
  if (!ConvertSidToStringSidA(user->User.Sid, &text)) {
    return sys::Win32Status(GetLastError(), "ConvertSidToStringSidA", "");
  }
  std::string identity = absl::StrCat("sid:", text);
  LocalFree(text);
  return identity;
}

}  // namespace natfwt::cp
