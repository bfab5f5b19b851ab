// Copyright 2026 The natfwt Authors.
//
// interface_aliases.h on Windows: every interface's ifAlias (its friendly
// name) from GetIfTable2. Needs no privileges.

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>
// clang-format on

#include "platform/sys/win32_status.h"
#include "platform/tun/interface_aliases.h"

namespace natfwt::tun {

absl::StatusOr<std::vector<std::string>> ListInterfaceAliases() {
  MIB_IF_TABLE2* table = nullptr;
  const DWORD result = GetIfTable2(&table);
  if (result != NO_ERROR) return sys::Win32Status(result, "GetIfTable2", "");
  std::vector<std::string> aliases;
  for (ULONG i = 0; i < table->NumEntries; ++i) {
    const wchar_t* alias = table->Table[i].Alias;
    if (alias[0] != L'\0') aliases.push_back(sys::WideToUtf8(alias));
  }
  FreeMibTable(table);
  return aliases;
}

}  // namespace natfwt::tun
