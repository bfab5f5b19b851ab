// Copyright 2026 The natfwt Authors.
//
// SetCurrentThreadName on Windows: SetThreadDescription, looked up at run
// time because kernel32 has it only from Windows 10 1607 on (and older
// MinGW import libraries lack it). Without it, nothing happens.

#include <windows.h>

#include <string>

#include "platform/base/thread_name.h"

namespace natfwt {
namespace {

using SetThreadDescriptionFunc = HRESULT(WINAPI*)(HANDLE, PCWSTR);

SetThreadDescriptionFunc LookUp() {
  HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
  if (kernel32 == nullptr) return nullptr;
  FARPROC found = GetProcAddress(kernel32, "SetThreadDescription");
  // Through void(*)(): the one function type GCC's -Wcast-function-type
  // accepts a cast from and to.
  return reinterpret_cast<SetThreadDescriptionFunc>(
      reinterpret_cast<void (*)()>(found));
}

}  // namespace

void SetCurrentThreadName(const char* name) {
  static const SetThreadDescriptionFunc set_description = LookUp();
  if (set_description == nullptr) return;
  std::wstring wide;
  for (const char* c = name; *c != '\0'; ++c) {
    wide.push_back(static_cast<wchar_t>(static_cast<unsigned char>(*c)));
  }
  (void)set_description(GetCurrentThread(), wide.c_str());
}

}  // namespace natfwt
